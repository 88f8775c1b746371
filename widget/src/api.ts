import { defineSwitchboardChat, type ChatConfig, SwitchboardChatElement } from './element.ts';
import type { Identity } from './session.ts';

/**
 * The page's JavaScript API, window.Switchboard in the script build:
 *   Switchboard.init({ publishableKey, brandColor, metadata: { unit: '4B' }, ... })
 *   Switchboard.identify({ userId, userHash, name, email, phone })   // userHash from your server
 *   Switchboard.open() / close() / shutdown()
 * A page script that may run before the widget's (async) pushes its calls onto a stub:
 *   (window.Switchboard ||= { q: [] }).q.push(['init', {...}], ['identify', {...}])
 */
function element(): SwitchboardChatElement {
  defineSwitchboardChat();
  let el = document.querySelector('switchboard-chat') as SwitchboardChatElement | null;
  if (!el) {
    el = document.createElement('switchboard-chat') as SwitchboardChatElement;
    document.body.append(el);
  }
  return el;
}

export function init(config: ChatConfig): SwitchboardChatElement {
  const el = element();
  el.configure(config);
  return el;
}

export function identify(user: Identity | null): void {
  element().identify(user);
}

export const open = () => element().setOpen(true);
export const close = () => element().setOpen(false);
export function shutdown(): void {
  document.querySelector('switchboard-chat')?.remove();
}

export const Switchboard = { init, identify, open, close, shutdown };
export type { ChatConfig, Identity };
