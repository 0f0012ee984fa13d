/** The user's chats in the sidebar. */
export function ChatHistory() {
  return <div className="chat-history" />;
}
