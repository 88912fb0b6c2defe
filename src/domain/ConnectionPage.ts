/**
 * The page `/` answers a browser with: the declared agents and their URLs, a form that opens a native
 * WebSocket to an agent instance, the frames received, the state, a ping, a chat box speaking the SDK's
 * chat protocol (history from `get-messages`, a streamed reply, Stop), `/health`, and a refused or closed
 * socket's code and reason explained in words. One self-contained document: no external assets, no
 * build step. Data from the server is embedded as JSON and rendered with `textContent` only.
 */
import type { AgentCatalog } from "./AgentCatalog.js"
import { agentUrlTemplate } from "./Route.js"

/** What each close code means to the person looking at the page. */
export const closeExplanations: Readonly<Record<number, string>> = {
  1000: "Closed normally.",
  1001: "The server or the page went away.",
  1005: "Closed without a code.",
  1006: "The connection dropped without a close frame (network, or a server that refused the upgrade without accepting it).",
  1008: "Refused by the agent's policy; do not retry as is.",
  1011: "The router or the agent failed unexpectedly. Quote the request id in the reason when reporting it.",
  1013: "The agent is unavailable right now (its binding is missing, it failed, or tokens cannot be checked). Try again later.",
  4400: "The URL is not valid: the instance name breaks a rule (the reason names it), or the handshake was refused.",
  4401: "This service needs a token: paste one in the token field (it is sent as ?token=).",
  4403: "Refused: the instance belongs to another user, or this page's origin is not allowed.",
  4404: "No agent answers to that name. The agents that exist are listed above.",
  4429: "Too many failed authentications from this address. Wait a minute, then use a valid token."
}

/**
 * What a refusal's reason (the close reason's first word) means, where it says more than its code: 4403
 * and 4401 each have several causes, and the page names the one that happened.
 */
export const reasonExplanations: Readonly<Record<string, string>> = {
  origin_not_allowed: "Refused: this page's origin is not on the ALLOWED_ORIGINS list.",
  instance_forbidden: "Refused: this instance belongs to another user. Open one named after you: {you} or {you}:{name}.",
  missing_credentials: "This service needs a token: paste one in the token field (it is sent as ?token=).",
  invalid_credentials: "The token is not valid for this service.",
  token_expired: "The token has expired: get a fresh one.",
  token_conflict: "The Access login and the token name different users.",
  url_too_long: "The URL is too long for the agent to keep with the connection: use a shorter instance name or query.",
  agent_not_found: "No agent answers to that name. The agents that exist are listed above.",
  rate_limited: "Too many failed authentications from this address. Wait a minute, then use a valid token."
}

const escapeJson = (value: unknown): string => JSON.stringify(value).replace(/</g, "\\u003c")

/** The page, for the declared agents under `prefix`. */
export const connectionPage = (catalog: AgentCatalog, prefix: string): string => {
  const data = {
    prefix,
    agents: catalog.agents.map((agent) => ({ name: agent.className, url: agentUrlTemplate(prefix, agent.publicName), segment: agent.publicName })),
    explanations: closeExplanations,
    reasons: reasonExplanations
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>agents-edge-router</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:56rem;padding:0 1rem;color:#1d1d1f}
h1{font-size:1.4rem}h2{font-size:1.05rem;margin-top:1.6rem}
code,pre,#frames{font:13px ui-monospace,monospace;overflow-wrap:anywhere}
form{display:flex;gap:.5rem;flex-wrap:wrap;align-items:end}
label{display:flex;flex-direction:column;font-size:.85rem}
input,select,button{font:inherit;padding:.3rem .5rem}
#frames{background:#f5f5f7;border:1px solid #ddd;padding:.5rem;height:14rem;overflow:auto;white-space:pre-wrap;word-break:break-all;margin:.5rem 0}
#status{padding:.5rem .75rem;border-radius:6px;background:#eef;overflow-wrap:anywhere}
#status.closed{background:#fde8e8}#status.open{background:#e6f6ea}
#chatlog{border:1px solid #ddd;padding:.5rem;min-height:3rem;margin:.5rem 0}
#chatlog p{margin:.3rem 0;white-space:pre-wrap;overflow-wrap:anywhere}#chatlog .assistant{color:#035}#chatlog .error{color:#a00}
#chatlog .waiting{color:#666;font-style:italic}#chatlog .stopped::after{content:" [stopped]";color:#a60}
label{min-width:0}#message{width:24rem;max-width:100%}
</style>
</head>
<body>
<h1>agents-edge-router</h1>
<p>Routes WebSocket and HTTP clients to Cloudflare Agents. Agent names are case-, hyphen- and underscore-insensitive.</p>
<h2>Agents</h2>
<ul id="agents"></ul>
<p>Health: <code id="health">checking...</code></p>
<h2>Connect</h2>
<form id="connect">
<label>Agent <select id="agent"></select></label>
<label>Instance <input id="instance" value="default" required></label>
<label>Token (optional) <input id="token" type="password" autocomplete="off"></label>
<button id="open" type="submit">Connect</button>
<button id="ping" type="button" disabled>Send ping</button>
<button id="close" type="button" disabled>Close</button>
</form>
<p id="status">Not connected.</p>
<p>State: <code id="state">-</code></p>
<h2>Chat</h2>
<form id="chat">
<label>Message <input id="message" autocomplete="off" disabled></label>
<button id="send" type="submit" disabled>Send</button>
<button id="stop" type="button" disabled>Stop</button>
</form>
<div id="chatlog" aria-label="conversation"></div>
<h2>Frames</h2>
<div id="frames" aria-label="frames received"></div>
<script id="data" type="application/json">${escapeJson(data)}</script>
<script>
"use strict";
const data = JSON.parse(document.getElementById("data").textContent);
const el = (id) => document.getElementById(id);
for (const agent of data.agents) {
  const item = document.createElement("li");
  const code = document.createElement("code");
  code.textContent = agent.url;
  item.append(agent.name + " ", code);
  el("agents").append(item);
  const option = document.createElement("option");
  option.value = agent.segment;
  option.textContent = agent.name;
  el("agent").append(option);
}
fetch("/health").then((r) => r.json()).then((h) => {
  el("health").textContent = h.status + " (" + h.agents.map((a) => a.agent + (a.bindingPresent ? " bound" : " NOT bound")).join(", ") + ")";
}, () => { el("health").textContent = "unreachable"; });
let socket = null;
let target = null;
// The conversation as the SDK keeps it (UI messages), and the turn streaming now.
let messages = [];
let turn = null;
const textOf = (message) => message.parts.map((p) => (p.type === "text" ? p.text : "")).join("");
const line = (role, text) => { const p = document.createElement("p"); p.className = role; p.textContent = role + ": " + text; el("chatlog").append(p); return p; };
const renderChat = () => { el("chatlog").textContent = ""; for (const m of messages) line(m.role, textOf(m)); };
const chatIdle = (idle) => { el("send").disabled = !idle || !socket; el("message").disabled = !socket; el("stop").disabled = idle; };
// A model call that retries sends nothing for seconds: say so rather than show an empty reply.
const waitingText = () => "assistant: waiting for the model (" + Math.round((Date.now() - turn.started) / 1000) + " s; it may be retrying)...";
const onChatFrame = (frame) => {
  if (frame.type === "cf_agent_chat_messages") { messages = frame.messages; if (!turn) renderChat(); return; }
  if (frame.type !== "cf_agent_use_chat_response" || !turn || frame.id !== turn.id) return;
  if (frame.error) { turn.error = frame.body; turn.line.className = "error"; turn.line.textContent = "error: " + frame.body; }
  else if (frame.body) {
    const chunk = JSON.parse(frame.body);
    if (chunk.type === "start" && chunk.messageId) turn.messageId = chunk.messageId;
    if (chunk.type === "text-delta") { turn.text += chunk.delta; turn.line.className = "assistant"; turn.line.textContent = "assistant: " + turn.text; }
  }
  if (frame.done) {
    clearInterval(turn.timer);
    if (frame.outcome === "aborted") turn.line.classList.add("stopped");
    if (!turn.text && !turn.error) { turn.line.className = frame.outcome === "aborted" ? "assistant stopped" : "assistant"; turn.line.textContent = "assistant: (no text)"; }
    if (turn.text) messages.push({ id: turn.messageId || turn.id, role: "assistant", parts: [{ type: "text", text: turn.text }] });
    turn = null; chatIdle(true);
  }
};
const log = (line) => { const f = el("frames"); f.textContent += line + "\\n"; f.scrollTop = f.scrollHeight; };
const status = (text, kind) => { el("status").textContent = text; el("status").className = kind; };
// The close reason starts with the refusal's reason (\`instance_forbidden 5f0c...\`): worded by it when known.
const explain = (code, reason) =>
  data.reasons[(reason || "").split(" ")[0]] || data.explanations[code] || (code >= 4000 && code < 5000 ? "Refused by the server; do not retry as is." : "Closed.");
const disconnected = () => {
  el("ping").disabled = true; el("close").disabled = true; socket = null;
  if (turn) clearInterval(turn.timer);
  turn = null; chatIdle(true); el("state").textContent = "-";
};
el("connect").addEventListener("submit", (event) => {
  event.preventDefault();
  if (socket) socket.close(1000);
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const token = el("token").value.trim();
  const path = "/" + data.prefix + "/" + el("agent").value + "/" + encodeURIComponent(el("instance").value);
  const query = token ? "?token=" + encodeURIComponent(token) : "";
  const url = scheme + "//" + location.host + path + query;
  target = { path, query };
  messages = []; turn = null; el("chatlog").textContent = ""; el("state").textContent = "-";
  el("frames").textContent = "";
  status("Connecting to " + url.replace(/token=[^&]*/, "token=...") + " ...", "");
  // Events of a socket this page has since replaced (Connect pressed again) are ignored.
  const current = new WebSocket(url);
  socket = current;
  // A refused socket is opened and then closed with its reason: "Connected" waits for the agent's identity.
  current.addEventListener("open", () => {
    if (socket !== current) return;
    status("Handshake accepted; waiting for the agent to introduce itself ...", "");
  });
  current.addEventListener("message", (message) => {
    if (socket !== current) return;
    log("< " + message.data);
    try {
      const frame = JSON.parse(message.data);
      if (frame.type === "cf_agent_state") el("state").textContent = JSON.stringify(frame.state);
      if (frame.type === "cf_agent_identity") {
        status("Connected to " + frame.agent + " instance " + frame.name + ".", "open");
        el("ping").disabled = false; el("close").disabled = false; chatIdle(true);
        // The history, as useAgentChat loads it, once the agent is known to be there.
        fetch(target.path + "/get-messages" + target.query).then((r) => (r.ok ? r.json() : [])).then((stored) => {
          if (Array.isArray(stored) && !turn && socket === current) { messages = stored; renderChat(); }
        }, () => {});
      }
      onChatFrame(frame);
    } catch (_) {}
  });
  current.addEventListener("close", (closed) => {
    if (socket !== current) return;
    disconnected();
    status("Closed with " + closed.code + (closed.reason ? " (" + closed.reason + ")" : "") + ": " + explain(closed.code, closed.reason), "closed");
  });
});
el("ping").addEventListener("click", () => { if (socket) { socket.send(JSON.stringify({ type: "ping" })); log('> {"type":"ping"}'); } });
el("close").addEventListener("click", () => { if (socket) socket.close(1000, "closed from the page"); });
el("chat").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = el("message").value;
  if (!socket || turn || !text.trim()) return;
  const id = crypto.randomUUID();
  messages.push({ id: "u-" + id, role: "user", parts: [{ type: "text", text }] });
  line("user", text);
  turn = { id, text: "", line: line("waiting", ""), messageId: null, started: Date.now(), timer: 0 };
  turn.line.textContent = waitingText();
  turn.timer = setInterval(() => { if (turn && !turn.text && !turn.error) turn.line.textContent = waitingText(); }, 1000);
  socket.send(JSON.stringify({ type: "cf_agent_use_chat_request", id, init: { method: "POST", body: JSON.stringify({ messages, trigger: "submit-message" }) } }));
  el("message").value = ""; chatIdle(false);
});
el("stop").addEventListener("click", () => { if (socket && turn) socket.send(JSON.stringify({ type: "cf_agent_chat_request_cancel", id: turn.id })); });
</script>
</body>
</html>
`
}
