/**
 * The widget as an ES module: `import { init, identify } from 'https://HOST/widget/widget.mjs'`
 * (the API defaults to the module's own origin), or `defineSwitchboardChat()` and use
 * <switchboard-chat publishable-key="pk_live_…"> in markup.
 */
import { setDefaultApiBase } from './element.ts';

try {
  setDefaultApiBase(new URL(import.meta.url).origin);
} catch {
  /* bundled into an app: api-base / apiBase says where the API is */
}

export { init, identify, open, close, shutdown, Switchboard } from './api.ts';
export { defineSwitchboardChat, SwitchboardChatElement, type ChatConfig } from './element.ts';
export type { Identity, WidgetOptions, ChatMessage, ChatState } from './session.ts';
