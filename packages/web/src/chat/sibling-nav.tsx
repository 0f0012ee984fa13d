import { useTranslate } from "../i18n/i18n.ts";

export interface SiblingNavProps {
  /** The message and its alternatives, in order (see `siblingsOf`). */
  siblingIds: string[];
  /** The one on screen. */
  currentId: string;
  isDisabled?: boolean;
  onShow(id: string): void;
}

/** `‹ 2/3 ›`: steps between the versions of a message (edited questions, regenerated answers); nothing when there is one. */
export function SiblingNav({ siblingIds, currentId, isDisabled = false, onShow }: SiblingNavProps) {
  const t = useTranslate();
  const index = siblingIds.indexOf(currentId);
  if (siblingIds.length < 2 || index < 0) return null;
  const previous = siblingIds[index - 1];
  const next = siblingIds[index + 1];
  return (
    <div className="sibling-nav" role="group" aria-label={t("Versions of this message")}>
      <button
        type="button"
        className="button button-quiet button-small sibling-step"
        aria-label={t("Previous version")}
        title={t("Previous version")}
        disabled={isDisabled || !previous}
        onClick={() => previous && onShow(previous)}
      >
        ‹
      </button>
      <span className="sibling-count" aria-label={t("Version {number} of {count}", { number: index + 1, count: siblingIds.length })}>
        {index + 1}/{siblingIds.length}
      </span>
      <button
        type="button"
        className="button button-quiet button-small sibling-step"
        aria-label={t("Next version")}
        title={t("Next version")}
        disabled={isDisabled || !next}
        onClick={() => next && onShow(next)}
      >
        ›
      </button>
    </div>
  );
}
