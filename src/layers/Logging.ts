/**
 * Which logger a runtime's log lines go through: the request log's own (the router's runtime), or the
 * JSON console logger (agents). Installing it is explicit wiring here, never a side effect of a service.
 */
import { Effect, Layer, Logger } from "effect"
import { printingLogger, printToConsole, RequestLog } from "../services/RequestLog.js"

/** Replaces Effect's default logger with the JSON line logger printing at once to the console. */
export const JsonLoggerLive = Logger.replace(Logger.defaultLogger, printingLogger(printToConsole))

/** Replaces Effect's default logger with the request log's logger, so its lines and the runtime's share a path. */
export const RequestLoggerLive: Layer.Layer<never, never, RequestLog> = Layer.unwrapEffect(
  Effect.map(RequestLog, (log) => Logger.replace(Logger.defaultLogger, log.logger))
)
