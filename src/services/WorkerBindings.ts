/**
 * What the Worker's `env` binds, as far as routing cares: the names of its Durable Object namespaces.
 * Known when the runtime for an `env` is built; used to discover agents when `AGENTS` is not set.
 */
import { Context, Layer } from "effect"
import { durableObjectBindings, type WorkerEnv } from "../domain/Worker.js"

/** The Durable Object bindings of the Worker's `env`. */
export class WorkerBindings extends Context.Tag("app/WorkerBindings")<
  WorkerBindings,
  { readonly durableObjects: ReadonlyArray<string> }
>() {
  /** The bindings of `env`. */
  static readonly fromEnv = (env: WorkerEnv): Layer.Layer<WorkerBindings> =>
    Layer.succeed(WorkerBindings, { durableObjects: durableObjectBindings(env) })
}
