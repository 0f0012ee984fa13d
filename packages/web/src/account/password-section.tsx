import { useId, useState, type FormEvent } from "react";
import { errorMessage } from "../api/api-error.ts";
import { useAuth } from "../auth/auth-context.tsx";
import { useToaster } from "../ui/toasts.tsx";
import { accountApi } from "./account-api.ts";
import { useTranslate } from "../i18n/i18n.ts";

/** Changes the password (the current one first). Every other session ends; this one signs in again. */
export function PasswordSection({ email }: { email: string }) {
  const { signIn } = useAuth();
  const t = useTranslate();
  const toaster = useToaster();
  const headingId = useId();
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const current = String(form.get("current") ?? "");
    const next = String(form.get("new") ?? "");
    if (next !== String(form.get("repeat") ?? "")) {
      setError(t("The new passwords differ"));
      return;
    }
    setIsBusy(true);
    setError(null);
    try {
      await accountApi.updatePassword(current, next);
      // The change ended every session, this one too.
      await signIn(email, next);
      formElement.reset();
      toaster.show({ type: "success", content: t("Changed your password; other devices must sign in again") });
    } catch (thrown) {
      setError(errorMessage(thrown));
    } finally {
      setIsBusy(false);
    }
  };

  return (
    <section className="card account-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("Password")}</h2>
      <form className="form account-form" onSubmit={submit} aria-label={t("Change password")}>
        <label className="field">
          <span className="field-label">{t("Current password")}</span>
          <input className="input" name="current" type="password" autoComplete="current-password" required />
        </label>
        <label className="field">
          <span className="field-label">{t("New password")}</span>
          <input className="input" name="new" type="password" autoComplete="new-password" required />
        </label>
        <label className="field">
          <span className="field-label">{t("New password again")}</span>
          <input className="input" name="repeat" type="password" autoComplete="new-password" required />
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button button-primary" disabled={isBusy}>
          {t("Change password")}
        </button>
      </form>
    </section>
  );
}
