import { useId, useRef, useState, type FormEvent } from "react";
import { errorMessage } from "../api/api-error.ts";
import type { SessionUser } from "../api/types.ts";
import { useAuth } from "../auth/auth-context.tsx";
import { useToaster } from "../ui/toasts.tsx";
import { UserAvatar } from "./user-avatar.tsx";
import { accountApi } from "./account-api.ts";
import { scaleAvatar } from "./scale-avatar.ts";
import { useTranslate } from "../i18n/i18n.ts";

/** The user's name and avatar (an image scaled to 128 px, stored as a data URL). */
export function ProfileSection({ user }: { user: SessionUser }) {
  const { refresh } = useAuth();
  const t = useTranslate();
  const toaster = useToaster();
  const headingId = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const [name, setName] = useState(user.name);
  const [isBusy, setIsBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const save = async (fields: { name?: string; profile_image_url?: string }, success: string) => {
    setIsBusy(true);
    setError(null);
    try {
      await accountApi.updateProfile(fields);
      await refresh();
      toaster.show({ type: "success", content: success });
    } catch (thrown) {
      setError(errorMessage(thrown));
    } finally {
      setIsBusy(false);
    }
  };

  const submitName = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void save({ name }, t("Saved your name"));
  };

  const pickAvatar = async (file: File | undefined) => {
    if (!file) return;
    try {
      await save({ profile_image_url: await scaleAvatar(file) }, t("Saved your picture"));
    } catch (thrown) {
      setError(errorMessage(thrown));
    } finally {
      if (fileInput.current) fileInput.current.value = "";
    }
  };

  return (
    <section className="card account-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("Profile")}</h2>
      <div className="account-profile">
        <UserAvatar user={user} size={64} label={user.profile_image_url ? t("Your picture") : ""} />
        <div className="button-row">
          <label className="button button-small">
            {t("Upload picture")}
            <input
              ref={fileInput}
              type="file"
              accept="image/png,image/jpeg,image/gif,image/webp"
              className="visually-hidden"
              aria-label={t("Upload picture")}
              disabled={isBusy}
              onChange={(event) => pickAvatar(event.target.files?.[0])}
            />
          </label>
          {user.profile_image_url && (
            <button
              type="button"
              className="button button-small button-quiet"
              disabled={isBusy}
              onClick={() => save({ profile_image_url: "" }, t("Removed your picture"))}
            >
              {t("Remove picture")}
            </button>
          )}
        </div>
      </div>
      <form className="form account-form" onSubmit={submitName} aria-label={t("Name")}>
        <label className="field">
          <span className="field-label">{t("Name")}</span>
          <input
            className="input"
            name="name"
            autoComplete="name"
            value={name}
            onChange={(event) => setName(event.target.value)}
            required
          />
        </label>
        <p className="muted small">{t("Email: {email}", { email: user.email })}</p>
        <button type="submit" className="button button-primary" disabled={isBusy || name.trim() === user.name}>
          {t("Save name")}
        </button>
      </form>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
