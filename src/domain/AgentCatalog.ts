/**
 * The agents this Worker serves and the names users may write for them. Users write `coderagent`,
 * `CoderAgent`, `coder-agent` and `coder_agent`; all collapse to one alias key. The SDK only answers the
 * kebab-case of the binding name (its URL name), so that is the canonical form we forward.
 */
import { Array as Arr, Data, Either, Option } from "effect"

/** An agent the Worker declares: its Durable Object class and the `env` binding that holds its namespace. */
export interface AgentDeclaration {
  readonly className: string
  readonly binding: string
}

/**
 * A declared agent with the URL names it has and every alias key it answers to. `urlName` (from the
 * binding) is the SDK's and stays internal; `publicName` (from the class) is what people see, and the
 * segment the SDK reads a sub-agent class by.
 */
export interface DeclaredAgent extends AgentDeclaration {
  readonly urlName: string
  readonly publicName: string
  readonly aliasKeys: ReadonlyArray<string>
}

/** The declared agents, indexed by alias key. Built once per isolate. */
export interface AgentCatalog {
  readonly agents: ReadonlyArray<DeclaredAgent>
  readonly byAlias: ReadonlyMap<string, DeclaredAgent>
  /** The spellings a client most often writes (the SDK's URL name among them), found without computing a key. */
  readonly bySpelling: ReadonlyMap<string, DeclaredAgent>
}

/** Two declared agents answer to the same alias: a configuration error, refused at start-up. */
export class AliasCollision extends Data.TaggedError("AliasCollision")<{
  readonly alias: string
  readonly agents: readonly [string, string]
}> {
  override get message() {
    return `Agents ${this.agents[0]} and ${this.agents[1]} both answer to "${this.alias}"; rename one binding.`
  }
}

/** Collapses case, hyphens and underscores: `Coder_Agent`, `coder-agent` and `CODERAGENT` share one key. */
export const aliasKey = (name: string): string => name.toLowerCase().replace(/[-_]/g, "")

/**
 * Builds the catalog. `toUrlName` is the SDK's own binding-to-URL mapping (`camelCaseToKebabCase`), passed
 * in so the canonical URL is exactly the one `routeAgentRequest` answers. Fails on an alias collision.
 */
export const makeCatalog = (
  declarations: ReadonlyArray<AgentDeclaration>,
  toUrlName: (binding: string) => string
): Either.Either<AgentCatalog, AliasCollision> => {
  const byAlias = new Map<string, DeclaredAgent>()
  const agents: Array<DeclaredAgent> = []
  for (const declaration of declarations) {
    const urlName = toUrlName(declaration.binding)
    const publicName = toUrlName(declaration.className)
    const aliasKeys = Arr.dedupe([declaration.className, publicName, declaration.binding, urlName].map(aliasKey))
    const agent: DeclaredAgent = { ...declaration, urlName, publicName, aliasKeys }
    for (const key of aliasKeys) {
      const taken = byAlias.get(key)
      if (taken !== undefined) {
        return Either.left(new AliasCollision({ alias: key, agents: [taken.className, declaration.className] }))
      }
      byAlias.set(key, agent)
    }
    agents.push(agent)
  }
  const bySpelling = new Map<string, DeclaredAgent>()
  for (const agent of agents) {
    for (const spelling of [agent.binding, agent.urlName, ...spellingsOf(agent)]) bySpelling.set(spelling, agent)
  }
  return Either.right({ agents, byAlias, bySpelling })
}

/**
 * The declared agent a URL segment names, in any accepted spelling; `None` when no agent answers to it. A
 * spelling the catalog lists is found as written (every one's alias key is its agent's, so the answer is
 * the same); any other goes through its alias key.
 */
export const lookupAgent = (catalog: AgentCatalog, segment: string): Option.Option<DeclaredAgent> =>
  Option.fromNullable(catalog.bySpelling.get(segment) ?? catalog.byAlias.get(aliasKey(segment)))

/**
 * The spellings of a declared agent's name people may write (it also answers to its binding's, which are
 * not shown: binding names are the operator's, not the public's).
 */
export const spellingsOf = (agent: DeclaredAgent): ReadonlyArray<string> =>
  Arr.dedupe([agent.className, agent.publicName, agent.publicName.replace(/-/g, "_"), aliasKey(agent.className)])

/** The public URL names, for "known agents" lists in 404 answers and public pages. */
export const publicNames = (catalog: AgentCatalog): ReadonlyArray<string> => catalog.agents.map((a) => a.publicName)

/** The agent declared when neither `AGENTS` nor `env` names one: the product's own. */
export const DEFAULT_AGENT: AgentDeclaration = { className: "CoderAgent", binding: "CoderAgent" }

/**
 * The agents `env` declares, found the way the SDK finds them: every Durable Object namespace, named by its
 * binding. The class is the exported class whose name matches the binding in any spelling (`CODER_AGENT`
 * -> `CoderAgent`), else the binding's own name. With no namespace at all, `DEFAULT_AGENT` (so requests
 * get `MissingBinding` and its fix, not a 404).
 */
export const discoverAgents = (
  bindings: ReadonlyArray<string>,
  exportedClasses: ReadonlyArray<string>
): ReadonlyArray<AgentDeclaration> =>
  bindings.length === 0
    ? [DEFAULT_AGENT]
    : bindings.map((binding) => ({
        className: exportedClasses.find((name) => aliasKey(name) === aliasKey(binding)) ?? binding,
        binding
      }))

const declarationPattern = /^([A-Za-z_$][\w$]*)(?::([A-Za-z_][\w]*))?$/

/**
 * Parses the `AGENTS` var: comma-separated `ClassName` or `ClassName:BINDING` entries (a class without an
 * explicit binding is bound under its own name). Fails with a message naming the first malformed entry.
 */
export const parseDeclarations = (spec: string): Either.Either<ReadonlyArray<AgentDeclaration>, string> => {
  const entries = spec.split(",").map((entry) => entry.trim())
  const declarations: Array<AgentDeclaration> = []
  for (const entry of entries) {
    const match = declarationPattern.exec(entry)
    if (match === null || match[1] === undefined) {
      return Either.left(`AGENTS entry "${entry}" is not "ClassName" or "ClassName:BINDING"`)
    }
    declarations.push({ className: match[1], binding: match[2] ?? match[1] })
  }
  return Either.right(declarations)
}
