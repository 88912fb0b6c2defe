/**
 * A stand-in for a Durable Object namespace: `idFromName`/`get` as the SDK calls them, each stub's `fetch`
 * recorded and answered by a handler the test chooses.
 */

/** One request a fake Durable Object received. */
export interface Delivery {
  readonly instance: string
  readonly request: Request
}

/** What a fake Durable Object does with a request. */
export type Behaviour = (request: Request, instance: string, attempt: number) => Promise<Response>

/** Echoes what the agent received, as JSON. */
export const echo: Behaviour = async (request, instance) =>
  Response.json({ instance, url: request.url, method: request.method, headers: [...request.headers] })

/** A fake namespace plus the log of what reached it. */
export const fakeNamespace = (behaviour: Behaviour = echo) => {
  const deliveries: Array<Delivery> = []
  const namespace = {
    idFromName: (name: string) => ({ name }),
    get: (id: { name: string }) => ({
      fetch: (request: Request) => {
        deliveries.push({ instance: id.name, request })
        return behaviour(request, id.name, deliveries.length)
      }
    })
  }
  return { namespace, deliveries }
}
