/**
 * Who may open which instance. A verified user is bound to instances by one claim of their token
 * (`AUTH_INSTANCE_CLAIM`, default `sub`): the instance name must equal its value or start with it followed
 * by `:` (`alice`, `alice:project-1`). A token whose `scope` holds `agents:admin`, and a service holding the
 * shared `AUTH_TOKEN`, may open any instance. Sub-agents belong to their parent's owner.
 */

/** Who is calling, once credentials were checked. */
export type Caller =
  | { readonly _tag: "Anyone" }
  | { readonly _tag: "Service" }
  | { readonly _tag: "User"; readonly user: string; readonly admin: boolean }

/** No credentials configured: every caller is let through, as with the bare SDK. */
export const anyone: Caller = { _tag: "Anyone" }

/** The scope that may open any instance. */
export const ADMIN_SCOPE = "agents:admin"

/** True when a token's `scope` claim (space-separated string, or array) holds `agents:admin`. */
export const hasAdminScope = (scope: unknown): boolean =>
  typeof scope === "string"
    ? scope.split(" ").includes(ADMIN_SCOPE)
    : Array.isArray(scope) && scope.includes(ADMIN_SCOPE)

/** True when `user` owns the instance `name`: equal to it, or its prefix before a `:`. */
export const ownsInstance = (user: string, name: string): boolean => name === user || name.startsWith(`${user}:`)

/** True when `caller` may open the instance `name`. */
export const mayOpen = (caller: Caller, name: string): boolean =>
  caller._tag !== "User" || caller.admin || ownsInstance(caller.user, name)

/** The user to name to the agent and in the log, if the caller is one. */
export const userOf = (caller: Caller): string | undefined => (caller._tag === "User" ? caller.user : undefined)
