/**
 * The React UI kit: components and hooks over a typed client, for apps that show conversations
 * to their own users, authenticated with an embed token from the app's server.
 */
export { SwitchboardClient, ApiError, type Conversation, type Message, type Contact, type Page, type RealtimeEvent, type ClientOptions } from './client.ts';
export { SwitchboardProvider, useSwitchboardClient, useConversations, useConversation, useSendMessage, useContact, type Connection } from './hooks.ts';
export { ConversationList, ConversationView, ConnectionStatus, Composer, ContactCard, MessageText, conversationLabel } from './components.tsx';
export { SwitchboardChat, type SwitchboardChatProps } from './chat.tsx';
