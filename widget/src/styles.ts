/**
 * The widget's style sheet, adopted by its shadow root (constructable style sheet: no <style>
 * element, so a host page's style-src CSP does not block it). Every colour, radius and font is a
 * --sb-* custom property the host page (or the key's theme) sets on <switchboard-chat>; parts are
 * exposed for ::part() (launcher, panel, header, title, subtitle, close, messages, message,
 * message-visitor, message-agent, composer, input, send, badge, channels, channel, status, offline).
 */
export const CSS = `
:host {
  all: initial !important;
  display: block !important;
  position: static !important;
  --sb-brand: #2251cc;
  --sb-brand-contrast: #ffffff;
  --sb-background: #ffffff;
  --sb-surface: #f4f5f7;
  --sb-text: #1c1f24;
  --sb-muted: #5a6170;
  --sb-border: #e3e6ea;
  --sb-visitor-bubble: var(--sb-brand);
  --sb-visitor-text: var(--sb-brand-contrast);
  --sb-agent-bubble: #eef0f3;
  --sb-agent-text: var(--sb-text);
  --sb-radius: 18px;
  --sb-font: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  --sb-shadow: 0 12px 48px rgba(17, 24, 39, .22), 0 2px 6px rgba(17, 24, 39, .08);
  --sb-z-index: 2147483000;
}
* , *::before, *::after { box-sizing: border-box; }
.root {
  position: fixed; bottom: 20px; right: 20px; z-index: var(--sb-z-index);
  display: flex; flex-direction: column; align-items: flex-end; gap: 14px;
  font-family: var(--sb-font); font-size: 15px; line-height: 1.45; color: var(--sb-text);
  text-align: left; letter-spacing: normal; text-transform: none; font-weight: 400; font-style: normal;
  -webkit-font-smoothing: antialiased;
}
.root.left { right: auto; left: 20px; align-items: flex-start; }
button, input, textarea { font: inherit; color: inherit; margin: 0; }
button { cursor: pointer; }
:focus-visible { outline: 3px solid color-mix(in srgb, var(--sb-brand) 55%, white); outline-offset: 2px; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }

.launcher {
  display: inline-flex; align-items: center; gap: 10px; position: relative;
  height: 56px; min-width: 56px; padding: 0 22px 0 18px; border: 0; border-radius: 28px;
  background: var(--sb-brand); color: var(--sb-brand-contrast); font-weight: 600; font-size: 15px;
  box-shadow: 0 6px 20px rgba(17, 24, 39, .25); transition: transform .15s ease, box-shadow .15s ease;
}
.launcher:hover { transform: translateY(-1px); box-shadow: 0 10px 26px rgba(17, 24, 39, .3); }
.launcher.round { padding: 0; width: 56px; justify-content: center; }
.launcher svg { width: 24px; height: 24px; flex: none; }
.badge {
  position: absolute; top: -4px; right: -4px; min-width: 22px; height: 22px; padding: 0 6px;
  border-radius: 11px; background: #d92d20; color: #fff; font-size: 12px; font-weight: 700;
  display: inline-flex; align-items: center; justify-content: center; border: 2px solid #fff;
}
.root.left .badge { right: auto; left: -4px; }

.panel {
  width: 380px; max-width: calc(100vw - 40px); height: 620px; max-height: calc(100vh - 110px);
  display: flex; flex-direction: column; overflow: hidden;
  background: var(--sb-background); border-radius: 16px; box-shadow: var(--sb-shadow);
  animation: sb-in .18s ease-out;
}
@keyframes sb-in { from { opacity: 0; transform: translateY(12px) scale(.98); } to { opacity: 1; transform: none; } }
@media (prefers-reduced-motion: reduce) { .panel { animation: none; } .launcher { transition: none; } }

.header {
  display: flex; align-items: center; gap: 12px; padding: 18px 16px 18px 20px;
  background: linear-gradient(135deg, var(--sb-brand), color-mix(in srgb, var(--sb-brand) 72%, black));
  color: var(--sb-brand-contrast);
}
.avatar {
  flex: none; width: 40px; height: 40px; border-radius: 50%;
  display: inline-flex; align-items: center; justify-content: center; font-weight: 700; font-size: 16px;
  background: color-mix(in srgb, var(--sb-brand-contrast) 22%, transparent); color: var(--sb-brand-contrast);
}
.heading { flex: 1; min-width: 0; }
.title { margin: 0; font-size: 17px; font-weight: 700; line-height: 1.25; }
.subtitle { margin: 2px 0 0; font-size: 13px; opacity: .92; display: flex; align-items: center; gap: 6px; }
.dot { width: 8px; height: 8px; border-radius: 50%; background: #3ddc84; box-shadow: 0 0 0 2px color-mix(in srgb, var(--sb-brand-contrast) 40%, transparent); }
.dot.away { background: #f5b041; }
.close {
  flex: none; width: 36px; height: 36px; border: 0; border-radius: 10px; background: transparent; color: var(--sb-brand-contrast);
  display: inline-flex; align-items: center; justify-content: center;
}
.close:hover { background: color-mix(in srgb, var(--sb-brand-contrast) 16%, transparent); }
.close svg { width: 20px; height: 20px; }

.messages { flex: 1; overflow-y: auto; padding: 18px 16px 8px; display: flex; flex-direction: column; gap: 4px; background: var(--sb-background); }
.row { display: flex; flex-direction: column; max-width: 82%; }
.row.visitor { align-self: flex-end; align-items: flex-end; }
.row.agent { align-self: flex-start; align-items: flex-start; }
.row.first { margin-top: 10px; }
.who { font-size: 12px; color: var(--sb-muted); margin: 0 0 3px 4px; font-weight: 600; }
.bubble {
  padding: 10px 14px; border-radius: var(--sb-radius); white-space: pre-wrap; overflow-wrap: anywhere; word-break: break-word;
  font-size: 14.5px;
}
.visitor .bubble { background: var(--sb-visitor-bubble); color: var(--sb-visitor-text); border-bottom-right-radius: 6px; }
.agent .bubble { background: var(--sb-agent-bubble); color: var(--sb-agent-text); border-bottom-left-radius: 6px; }
.bubble a { color: inherit; text-decoration: underline; text-underline-offset: 2px; }
.meta { font-size: 12px; color: var(--sb-muted); margin: 3px 6px 0; display: flex; gap: 6px; align-items: center; }
.meta.failed { color: #b42318; }
.linkbtn { border: 0; background: none; padding: 0; color: inherit; text-decoration: underline; font-size: 12px; font-weight: 600; }

.status { margin: 0; padding: 8px 16px; font-size: 13px; text-align: center; background: #fff4e5; color: #7a4100; border-top: 1px solid #ffe0b3; }
.status.error { background: #fef3f2; color: #912018; border-color: #fecdca; }
.errorbox { margin: auto 8px; padding: 16px; border-radius: 12px; background: #fef3f2; color: #912018; font-size: 14px; border: 1px solid #fecdca; }
.errorbox.paused { background: var(--sb-surface); color: var(--sb-text); border-color: var(--sb-border); }

.composer { display: flex; align-items: flex-end; gap: 8px; padding: 12px 12px 12px 16px; border-top: 1px solid var(--sb-border); background: var(--sb-background); }
.input {
  flex: 1; min-height: 40px; max-height: 120px; resize: none; border: 0; outline: none; padding: 9px 2px;
  background: transparent; color: var(--sb-text); line-height: 1.4; font-size: 15px;
}
.input::placeholder { color: var(--sb-muted); }
.send {
  flex: none; width: 40px; height: 40px; border: 0; border-radius: 50%;
  background: var(--sb-brand); color: var(--sb-brand-contrast); display: inline-flex; align-items: center; justify-content: center;
}
.send[disabled] { background: var(--sb-surface); color: var(--sb-muted); cursor: default; }
.send svg { width: 18px; height: 18px; }

.channels { display: flex; flex-wrap: wrap; justify-content: center; align-items: center; gap: 6px; padding: 2px 12px 12px; background: var(--sb-background); }
.channel {
  display: inline-flex; align-items: center; gap: 6px; padding: 5px 11px; border-radius: 999px;
  border: 1px solid var(--sb-border); color: var(--sb-text); text-decoration: none; font-weight: 600; font-size: 13px; background: var(--sb-background);
}
.channel:hover { border-color: var(--sb-brand); }
.channel svg { width: 15px; height: 15px; }

.offline { display: flex; flex-direction: column; gap: 10px; padding: 16px; border-top: 1px solid var(--sb-border); }
.offline h3 { margin: 0; font-size: 15px; }
.offline p { margin: 0; font-size: 13px; color: var(--sb-muted); }
.offline label { font-size: 13px; font-weight: 600; display: flex; flex-direction: column; gap: 4px; }
.field { border: 1px solid var(--sb-border); border-radius: 10px; padding: 9px 12px; background: var(--sb-background); font-size: 14px; width: 100%; }
.field:focus { outline: 2px solid var(--sb-brand); outline-offset: 0; }
.primary { border: 0; border-radius: 10px; padding: 10px 14px; background: var(--sb-brand); color: var(--sb-brand-contrast); font-weight: 600; }
@media (max-width: 480px) {
  .root { bottom: 12px; right: 12px; }
  .root.left { left: 12px; }
  .panel { width: calc(100vw - 24px); height: calc(100vh - 100px); }
}
`;
