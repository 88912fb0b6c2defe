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
import * as jose from "jose"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { chromiumAvailable, HOW_TO_GET_CHROMIUM, launchChromium, screenshotDir, skipBrowserTests } from "./support/chromium.js"
import { startModelServer, type ModelServer } from "./fixtures/modelServer.js"
import { startWranglerDev, type LocalWorker } from "./support/wranglerDev.js"

const shots = screenshotDir()
const SECRET = "an-hs256-secret-of-at-least-32-characters"
const aliceToken = () =>
  new jose.SignJWT({ sub: "alice" }).setProtectedHeader({ alg: "HS256" }).setExpirationTime("1h").sign(new TextEncoder().encode(SECRET))
if (!chromiumAvailable) console.warn(`browser e2e tests skipped: ${HOW_TO_GET_CHROMIUM}`)

describe.skipIf(skipBrowserTests)("in a real browser", () => {
  let worker: LocalWorker
  let guarded: LocalWorker
  let model: ModelServer
  let browser: Browser
  let elsewhere: Server
  let otherOrigin: string

  beforeAll(async () => {
    expect(chromiumAvailable, HOW_TO_GET_CHROMIUM).toBe(true)
    model = await startModelServer()
    ;[worker, guarded] = await Promise.all([
      startWranglerDev({ vars: { MODEL_BASE_URL: model.baseUrl, MODEL_NAME: "fixture-model" } }),
      startWranglerDev({ vars: { AUTH_JWT_SECRET: SECRET, ALLOWED_ORIGINS: "https://app.example" } })
    ])
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
    await Promise.all([worker?.stop(), guarded?.stop()])
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

  it("a refused socket is never 'Connected': no history fetched, the state cleared, the close worded by its reason", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 760 } })
    const consoleErrors: Array<string> = []
    page.on("console", (message) => void (message.type() === "error" && consoleErrors.push(message.text())))
    const statuses: Array<string> = []
    await page.exposeFunction("seen", (text: string) => void statuses.push(text))
    await page.goto(`${guarded.origin}/`)
    // Every status the page shows, as it shows it.
    // A string, run in the page (this file is type-checked without the DOM's types).
    await page.evaluate(`new MutationObserver(() => seen(document.getElementById("status").textContent))
      .observe(document.getElementById("status"), { childList: true, characterData: true, subtree: true })`)
    expect(await page.getAttribute("#token", "type")).toBe("password")
    await page.fill("#token", await aliceToken())
    await page.fill("#instance", "alice:page")
    await page.click("#open")
    await expect.poll(() => page.locator("#status").textContent()).toBe("Connected to coder-agent instance alice:page.")
    await expect.poll(() => page.locator("#state").textContent()).toContain('"status":"idle"')
    statuses.length = 0
    await page.fill("#instance", "bob:page")
    await page.click("#open")
    await expect.poll(() => page.locator("#status").textContent()).toMatch(
      /^Closed with 4403 \(instance_forbidden [0-9a-f-]{36}\): Refused: this instance belongs to another user/
    )
    expect(statuses.some((text) => text.startsWith("Connected"))).toBe(false)
    expect(await page.locator("#state").textContent()).toBe("-")
    expect(consoleErrors).toEqual([])
    await page.close()
  })

  it("a retrying model call shows it is waiting, a stopped reply is marked, and the page fits 420 px", async () => {
    const page = await browser.newPage({ viewport: { width: 420, height: 900 } })
    await page.goto(`${worker.origin}/`)
    await page.fill("#instance", "narrow-" + "x".repeat(60))
    await page.click("#open")
    await expect.poll(() => page.locator("#status").textContent()).toMatch(/^Connected to coder-agent/)
    await page.fill("#message", "fail slowly")
    await page.click("#send")
    await expect.poll(() => page.locator("#chatlog .waiting").textContent(), { timeout: 5_000 }).toMatch(/waiting for the model \(\d+ s; it may be retrying\)/)
    await expect.poll(() => page.locator("#chatlog .error").textContent(), { timeout: 15_000 }).toMatch(/^error: model_error: /)
    await page.fill("#message", "slow please")
    await page.click("#send")
    await expect.poll(() => page.locator("#chatlog p").last().textContent(), { timeout: 10_000 }).toMatch(/^assistant: w0 /)
    await page.click("#stop")
    await expect.poll(() => page.locator("#chatlog .stopped").count(), { timeout: 10_000 }).toBe(1)
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(420)
    await page.screenshot({ path: join(shots, "connection-page-narrow.png"), fullPage: true })
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
