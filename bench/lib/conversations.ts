import type { BenchStack } from './stack.ts';
import type { WriterPlan } from './event-writer.ts';

/**
 * `count` chat conversations, each opened by one inbound message from its own visitor (through the
 * API, 16 in flight), and a real message and conversation of the run as the writer's templates.
 */
export async function createConversations(stack: BenchStack, count: number): Promise<{ conversations: string[]; templates: WriterPlan['templates'] }> {
  const conversations: string[] = [];
  let templates: WriterPlan['templates'] | undefined;
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < count) {
        const i = next++;
        const c = await stack.api('POST', '/v1/contacts', { name: `Visitor ${i}`, handles: [{ kind: 'app_user', value: `bench-visitor-${i}` }] });
        if (c.status !== 201) throw new Error(`creating a contact answered ${c.status}: ${JSON.stringify(c.json)}`);
        const m = await stack.api('POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { contactId: c.json.id }, body: `Hello from visitor ${i}` });
        if (m.status !== 201) throw new Error(`posting a message answered ${m.status}: ${JSON.stringify(m.json)}`);
        conversations[i] = m.json.conversationId;
        if (!templates) templates = { message: m.json, conversation: (await stack.api('GET', `/v1/conversations/${m.json.conversationId}`)).json };
      }
    }),
  );
  return { conversations, templates: templates! };
}
