/**
 * Debian's headless Chromium for the browser tests (driven by playwright-core), and where their screenshots
 * go: a temporary folder, removed when the test process exits, unless SCREENSHOT_DIR names one
 * (SCREENSHOT_DIR=docs for the README's). CHROMIUM_PATH names another Chromium build.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { chromium } from "playwright-core"

export const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium"
export const chromiumAvailable = existsSync(CHROMIUM)
export const HOW_TO_GET_CHROMIUM = `Chromium is not at ${CHROMIUM}: run \`apt-get install -y chromium\` as root (Debian's package; .ci/run does), or set CHROMIUM_PATH to a Chromium binary.`

/** Skip the browser tests only where Chromium is missing and this is not CI (CI must run them). */
export const skipBrowserTests = !chromiumAvailable && process.env["CI"] === undefined

/** The folder screenshots are written to, created on first use. */
export const screenshotDir = (): string => {
  if (process.env["SCREENSHOT_DIR"] !== undefined) {
    const dir = resolve(process.env["SCREENSHOT_DIR"])
    mkdirSync(dir, { recursive: true })
    return dir
  }
  const dir = mkdtempSync(join(tmpdir(), "browser-shots-"))
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Chromium, headless (`--no-sandbox`: CI runs as root). */
export const launchChromium = () => chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] })
