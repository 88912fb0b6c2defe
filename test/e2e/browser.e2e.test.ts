/**
 * A real browser (Debian's headless Chromium, driven by playwright-core) against local workerd: a page on
 * another origin reads a refused socket's close code and reason, and the connection page served at `/`
 * connects to CoderAgent, shows identity, state and a pong, and explains a refused socket. Screenshots go to
 * SCREENSHOT_DIR (docs/ holds the README's). Without Chromium the tests say how to get it, and fail only when `CI` is set.
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import type { Browser } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { chromiumAvailable, HOW_TO_GET_CHROMIUM, launchChromium, screenshotDir, skipBrowserTests } from "./support/chromium.js"
import { startModelServer, type ModelServer } from "./fixtures/modelServer.js"
import { startWranglerDev, type LocalWorker } from "./support/wranglerDev.js"

const shots = screenshotDir()
if (!chromiumAvailable) console.warn(`browser e2e tests skipped: ${HOW_TO_GET_CHROMIUM}`)

describe.skipIf(skipBrowserTests)("in a real browser", () => {
  let worker: LocalWorker
  let model: ModelServer
  let browser: Browser
  let elsewhere: Server
  let otherOrigin: string

  beforeAll(async () => {
    expect(chromiumAvailable, HOW_TO_GET_CHROMIUM).toBe(true)
    model = await startModelServer()
    worker = await startWranglerDev({ vars: { MODEL_BASE_URL: model.baseUrl, MODEL_NAME: "fixture-model" } })
    browser = await launchChromium()
    // A page on another origin that opens a socket to an agent that does not exist.
    elsewhere = createServer((_req, res) =>
      res.writeHead(200, { "content-type": "text/html" }).end(`<!doctype html><script>
        const socket = new WebSocket("${worker.wsOrigin}/agents/nope/default");
        socket.onclose = (event) => { window.refused = { code: event.code, reason: event.reason }; };
      </script>`)
    )
    await new Promise<void>((done) => elsewhere.listen(0, "127.0.0.1", done))
    otherOrigin = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`
  })

  afterAll(async () => {
    await browser?.close()
    await worker?.stop()
    await model?.close()
    await new Promise((done) => elsewhere?.close(done))
  })

  it("a page on another origin reads 4404 and the reason from a refused socket", async () => {
    const page = await browser.newPage()
    await page.goto(otherOrigin)
    const closed = await page.waitForFunction(() => Reflect.get(globalThis, "refused"), undefined, { timeout: 10_000 })
    expect(await closed.jsonValue()).toMatchObject({ code: 4404, reason: expect.stringMatching(/^agent_not_found [0-9a-f-]{36}$/) })
    await page.close()
  })

  it("the connection page connects to CoderAgent: identity, state and a pong", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 760 } })
    await page.goto(`${worker.origin}/`)
    await expect.poll(() => page.locator("#health").textContent()).toContain("ok")
    await page.fill("#instance", "browser-demo")
    await page.click("#open")
    await expect.poll(() => page.locator("#status").textContent()).toBe("Connected to coder-agent instance browser-demo.")
    await expect.poll(() => page.locator("#state").textContent()).toContain('"status":"idle"')
    await page.click("#ping")
    await expect.poll(() => page.locator("#frames").textContent()).toContain('"type":"pong"')
    await page.screenshot({ path: join(shots, "connection-page-connected.png") })
    await page.close()
  })

  it("the connection page's chat box: a streamed reply, then the history after reconnecting", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 1000 } })
    await page.goto(`${worker.origin}/`)
    await page.fill("#instance", "page-chat")
    await page.click("#open")
    await expect.poll(() => page.locator("#status").textContent()).toBe("Connected to coder-agent instance page-chat.")
    await page.fill("#message", "hi from the page")
    await page.click("#send")
    const conversation = ["user: hi from the page", "assistant: You said: hi from the page"]
    const chatLines = () => page.locator("#chatlog p").allTextContents()
    await expect.poll(chatLines, { timeout: 10_000 }).toEqual(conversation)
    await expect.poll(() => page.locator("#frames").textContent()).toContain('"type":"cf_agent_use_chat_response"')
    await page.click("#open")
    await expect.poll(() => page.locator("#status").textContent()).toBe("Connected to coder-agent instance page-chat.")
    await expect.poll(chatLines, { timeout: 10_000 }).toEqual(conversation)
    await page.fill("#message", "fail now")
    await page.click("#send")
    await expect.poll(() => page.locator("#chatlog .error").textContent(), { timeout: 15_000 }).toMatch(/^error: model_error: /)
    await page.screenshot({ path: join(shots, "connection-page-chat.png"), fullPage: true })
    await page.close()
  })

  it("the connection page explains a refused socket in words", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 760 } })
    await page.goto(`${worker.origin}/`)
    await page.fill("#instance", "a/b")
    await page.click("#open")
    await expect.poll(() => page.locator("#status").textContent()).toMatch(
      /^Closed with 4400 \(instance_contains_slash [0-9a-f-]{36}\): The URL is not valid/
    )
    await page.screenshot({ path: join(shots, "connection-page-refused.png") })
    await page.close()
  })

  it("curl-like clients keep the plain text at /", async () => {
    const text = await (await fetch(`${worker.origin}/`)).text()
    expect(text.startsWith("agents-edge-router: routes WebSocket and HTTP clients")).toBe(true)
    const html = await fetch(`${worker.origin}/`, { headers: { accept: "text/html" } })
    expect(html.headers.get("content-type")).toBe("text/html; charset=utf-8")
    expect(html.headers.get("content-security-policy")).toContain("default-src 'none'")
  })
})
