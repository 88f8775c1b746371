import { createElement, useEffect, useRef } from 'react';
import { defineSwitchboardChat, type ChatConfig, type SwitchboardChatElement } from '../src/element.ts';

/**
 * The website widget as a React component: <SwitchboardChat publishableKey="pk_live_…" metadata={{unit:'4B'}} />.
 * It renders the <switchboard-chat> custom element (Preact inside its shadow root) and passes
 * the props through configure(); user (with the userHash from your server) identifies the visitor.
 */
export interface SwitchboardChatProps extends ChatConfig {
  publishableKey: string;
}

export function SwitchboardChat(props: SwitchboardChatProps) {
  const ref = useRef<SwitchboardChatElement | null>(null);
  const { user, ...config } = props;
  defineSwitchboardChat();
  useEffect(() => {
    ref.current?.configure(config);
  }, [JSON.stringify(config)]);
  useEffect(() => {
    if (user !== undefined) ref.current?.identify(user);
  }, [JSON.stringify(user ?? null)]);
  return createElement('switchboard-chat', { ref });
}
