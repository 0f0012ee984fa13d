/** The chat: model picker, messages with plugin events, and the input. */
export function ChatPage({ chatId }: { chatId: string | null }) {
  return <div className="empty-state">{chatId ? `Chat ${chatId}` : "Start a new chat"}</div>;
}
