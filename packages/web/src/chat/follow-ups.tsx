/**
 * Questions a plugin suggests asking next (`chat:message:follow_ups`), as buttons that send the
 * question at once.
 *
 * @example
 * <FollowUps questions={message.followUps ?? []} isDisabled={isStreaming} onAsk={send} />
 */
export function FollowUps({
  questions,
  isDisabled,
  onAsk,
}: {
  questions: readonly unknown[];
  isDisabled: boolean;
  onAsk(question: string): void;
}) {
  const shown = questions.filter((question): question is string => typeof question === "string" && question.trim() !== "");
  if (shown.length === 0) return null;
  return (
    <div className="follow-ups" role="group" aria-label="Follow-up questions">
      <span className="follow-ups-label">Follow up</span>
      {shown.map((question) => (
        <button key={question} type="button" className="follow-up" disabled={isDisabled} onClick={() => onAsk(question)}>
          {question}
        </button>
      ))}
    </div>
  );
}
