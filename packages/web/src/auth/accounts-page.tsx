import { useState, type FormEvent } from "react";
import { errorMessage } from "../api/api-error.ts";
import { useServerConfig } from "../api/use-server-config.ts";
import { useAuth } from "./auth-context.tsx";
import { Spinner } from "../ui/spinner.tsx";
import { useTranslate } from "../i18n/i18n.ts";

type Mode = "sign-in" | "sign-up";

/**
 * What a signed-out visitor sees: sign-in, sign-up, or on a fresh server the first-run page
 * (the first account becomes the admin).
 */
export function AccountsPage() {
  const { config, error: configError } = useServerConfig();
  const t = useTranslate();
  const [chosenMode, setChosenMode] = useState<Mode | null>(null);
  const isFirstRun = config?.has_users === false;
  const isSignUpClosed = !isFirstRun && config?.features?.enable_signup === false;
  const mode: Mode = chosenMode ?? (isFirstRun ? "sign-up" : "sign-in");

  if (!config && !configError) {
    return (
      <div className="accounts-page">
        <Spinner label={t("Loading")} />
      </div>
    );
  }

  return (
    <div className="accounts-page">
      <div className="accounts-card">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">
            ≋
          </span>
          Sluice
        </div>
        {isFirstRun && mode === "sign-up" ? (
          <>
            <h1>{t("Welcome to Sluice")}</h1>
            <p className="lead">
              {t("Nobody has an account here yet. Create the first one:")} <strong>{t("the first account becomes the admin")}</strong>
              {t(", who approves everyone who signs up after.")}
            </p>
          </>
        ) : (
          <h1>{mode === "sign-in" ? t("Sign in") : t("Create an account")}</h1>
        )}
        {mode === "sign-up" && !isFirstRun && !isSignUpClosed && config?.default_user_role !== "user" && (
          <p className="muted">{t("New accounts wait for an admin’s approval before they can chat.")}</p>
        )}
        {mode === "sign-up" && isSignUpClosed ? (
          <p className="form-error" role="alert">
            {t("Sign-up is turned off on this server. Ask an admin to create an account for you.")}
          </p>
        ) : (
          <AccountForm key={mode} mode={mode} />
        )}
        <p className="accounts-switch">
          {mode === "sign-in" ? (
            <>
              {t("No account yet?")}{" "}
              <button type="button" className="link-button" onClick={() => setChosenMode("sign-up")}>
                {t("Create one")}
              </button>
            </>
          ) : (
            <>
              {t("Already have an account?")}{" "}
              <button type="button" className="link-button" onClick={() => setChosenMode("sign-in")}>
                {t("Sign in")}
              </button>
            </>
          )}
        </p>
        {config && <p className="muted small">Sluice {config.version}</p>}
      </div>
    </div>
  );
}

function AccountForm({ mode }: { mode: Mode }) {
  const { signIn, signUp } = useAuth();
  const t = useTranslate();
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "");
    const password = String(form.get("password") ?? "");
    setIsBusy(true);
    setError(null);
    try {
      if (mode === "sign-in") await signIn(email, password);
      else await signUp(String(form.get("name") ?? ""), email, password);
    } catch (caught) {
      setError(errorMessage(caught));
      setIsBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={submit} aria-label={mode === "sign-in" ? t("Sign in") : t("Sign up")}>
      {mode === "sign-up" && (
        <label className="field">
          <span className="field-label">{t("Name")}</span>
          <input name="name" autoComplete="name" required autoFocus />
        </label>
      )}
      <label className="field">
        <span className="field-label">{t("Email")}</span>
        <input name="email" type="email" autoComplete="email" required autoFocus={mode === "sign-in"} />
      </label>
      <label className="field">
        <span className="field-label">{t("Password")}</span>
        <input name="password" type="password" autoComplete={mode === "sign-in" ? "current-password" : "new-password"} required />
      </label>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="button button-primary button-block" disabled={isBusy}>
        {isBusy ? <Spinner label={t("Working")} /> : mode === "sign-in" ? t("Sign in") : t("Create account")}
      </button>
    </form>
  );
}
