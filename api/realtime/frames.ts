import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { EngineEvent } from '../../core/events/events.ts';
import { thinEvent } from '../../core/compliance/hipaa.ts';

/**
 * Frames of the realtime protocol ({type:"event",event} as JSON text), built once per event and
 * written as the same bytes to every socket that shows it: a message streamed to a hundred
 * dashboards is serialized once, not a hundred times. The protocol is unchanged.
 */
export type EventView = (e: EngineEvent) => EngineEvent | null;

interface Built {
  plain?: Buffer | null;
  thin?: Buffer | null;
}
// Per event object (the realtime adapter hands the same one to every listener), per view, full or thin.
const frames = new WeakMap<EngineEvent, Map<EventView | undefined, Built>>();

/** The event's frame as a client with this view (null: sees nothing) and HIPAA thinning receives it. */
export function eventFrame(e: EngineEvent, view: EventView | undefined, thin: boolean): Buffer | null {
  let byView = frames.get(e);
  if (!byView) frames.set(e, (byView = new Map()));
  let built = byView.get(view);
  if (!built) byView.set(view, (built = {}));
  const variant = thin ? 'thin' : 'plain';
  let frame = built[variant];
  if (frame === undefined) {
    const shown = view ? view(e) : e;
    frame = built[variant] = shown ? Buffer.from(JSON.stringify({ type: 'event', event: thin ? thinEvent(shown) : shown })) : null;
  }
  return frame;
}

// Sockets corked since this tick's first frame to them: the frames one socket gets in a tick (a
// relay batch arrives as many events at once) leave in one write instead of one syscall each.
const corked = new Set<Socket>();
let flushing = false;

function uncorkAll() {
  flushing = false;
  for (const s of corked) s.uncork();
  corked.clear();
}

/** Sends a text frame; frames sent to one socket within a tick are written together. */
export function sendFrame(ws: WebSocket, frame: Buffer | string): void {
  // ws has no public cork; its socket is the one it writes every frame to.
  const socket = (ws as unknown as { _socket?: Socket })._socket;
  if (socket && ws.readyState === ws.OPEN && !corked.has(socket)) {
    socket.cork();
    corked.add(socket);
    if (!flushing) {
      flushing = true;
      setImmediate(uncorkAll);
    }
  }
  ws.send(frame, { binary: false });
}
