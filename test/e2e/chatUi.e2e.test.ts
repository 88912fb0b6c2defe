/**
 * Chat UIs in a real browser (Debian's headless Chromium) against local workerd and the loopback model:
 * a React 19 page with the SDK's `useAgent` + `useAgentChat` (bundled by esbuild, served from another
 * origin, with no setting: the router answers CORS with `*` by default) streams a reply through the router, stops one, finds the history after
 * a reload, and shows a model error as its safe sentence. (The connection page's chat box: browser.e2e.)
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import type { Browser, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { chatPage } from "./fixtures/reactChat/bundle.js"
import { startModelServer, type ModelServer } from "./fixtures/modelServer.js"
import { chromiumAvailable, HOW_TO_GET_CHROMIUM, launchChromium, screenshotDir, skipBrowserTests } from "./support/chromium.js"
import { eventsIn } from "./support/output.js"
import { startWranglerDev, type LocalWorker } from "./support/wranglerDev.js"

const shots = screenshotDir()

describe.skipIf(skipBrowserTests)("a React chat page in a real browser", () => {
  let model: ModelServer
  let worker: LocalWorker
  let browser: Browser
  let site: Server
  let siteOrigin: string

  beforeAll(async () => {
    expect(chromiumAvailable, HOW_TO_GET_CHROMIUM).toBe(true)
    const { html } = await chatPage()
    site = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html))
    await new Promise<void>((done) => site.listen(0, "127.0.0.1", done))
    siteOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`
    model = await startModelServer()
    worker = await startWranglerDev({
      // No ALLOWED_ORIGINS: the README's snippet must work from another origin as it is.
      vars: { MODEL_BASE_URL: model.baseUrl, MODEL_NAME: "fixture-model" }
    })
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
    await worker?.stop()
    await model?.close()
    await new Promise((done) => site?.close(done))
  })

  /** Console errors and uncaught exceptions of each page (a blocked get-messages shows up here). */
  const problems = new Map<Page, Array<string>>()
  const reactPage = async (instance: string): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 900, height: 560 } })
    const seen: Array<string> = []
    problems.set(page, seen)
    page.on("console", (message) => void (message.type() === "error" && seen.push(message.text())))
    page.on("pageerror", (error) => void seen.push(error.message))
    await page.goto(`${siteOrigin}/?host=${new URL(worker.origin).host}&name=${instance}`)
    return page
  }
  const assistantTexts = (page: Page) => page.locator("li[data-role=assistant]").allTextContents()

  it("React + useAgentChat: a message goes through the router and the reply streams in", async () => {
    const page = await reactPage("react-1")
    await page.fill("#input", "hello from Chromium")
    await page.click("#send")
    await expect.poll(() => assistantTexts(page), { timeout: 10_000 }).toEqual(["assistant You said: hello from Chromium"])
    await expect.poll(() => page.locator("#status").textContent()).toBe("ready")
    expect(await page.locator("li[data-role=user]").allTextContents()).toEqual(["user hello from Chromium"])
    await page.screenshot({ path: join(shots, "react-chat.png") })
    // The history request (GET .../get-messages) was readable cross-origin: nothing blocked, nothing thrown.
    expect(problems.get(page)).toEqual([])
    const connected = eventsIn(worker.lines, "request.completed").filter((e) => e["instance"] === "react-1" && e["status"] === 101)
    expect(connected.length).toBeGreaterThan(0)
    await page.close()
  })

  it("React: the reply is seen growing while it streams, Stop cancels it, and a reload shows the history", async () => {
    const page = await reactPage("react-2")
    await page.fill("#input", "slow please")
    await page.click("#send")
    // Partial text while streaming: some words, not all forty.
    await expect.poll(() => assistantTexts(page), { timeout: 10_000 }).toEqual([expect.stringMatching(/^assistant w0 w1 w2 /)])
    expect((await assistantTexts(page))[0]).not.toContain("w39")
    await page.click("#stop")
    await expect.poll(() => page.locator("#status").textContent()).toBe("ready")
    await expect.poll(() => model.cut).toContain("slow please")
    const stopped = (await assistantTexts(page))[0] ?? ""
    expect(stopped).not.toContain("w39")
    await page.reload()
    await expect.poll(() => page.locator("li[data-role=user]").allTextContents(), { timeout: 10_000 }).toEqual(["user slow please"])
    expect((await assistantTexts(page))[0]?.startsWith("assistant w0 w1 ")).toBe(true)
    await page.close()
  })

  it("React: a model error is shown as the safe sentence, without the model's address", async () => {
    const page = await reactPage("react-3")
    await page.fill("#input", "fail now")
    await page.click("#send")
    await expect.poll(() => page.locator("#error").textContent(), { timeout: 15_000 }).toMatch(/^model_error: The model failed to answer/)
    expect(await page.content()).not.toContain(new URL(model.baseUrl).host)
    await page.close()
  })
})
