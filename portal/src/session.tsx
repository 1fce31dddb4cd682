// Who is signed in, in which language, on which day, and the catalog: what every page reads.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { apiClient, settle, type Api, type Locale, type Program } from "./api/client";
import { translate, type TextKey } from "./i18n";

export type Role = "global_admin" | "partner_admin" | "partner_user" | "program_admin" | "customer_admin";

/** The verified claims a token carries, read for navigation only: the server decides. */
export interface Claims {
  sub?: string;
  partnerId?: string;
  customerId?: string;
  roles: Role[];
}

export interface Session {
  locale: Locale;
  setLocale(locale: Locale): void;
  /** Whether who is signed in is known yet (the sign-in choices have been asked for). */
  ready: boolean;
  /** The demo's sign-in choices by label, when the server offers them. */
  demoTokens: Record<string, string>;
  /** The label signed in as ("" = anonymous). */
  signedInAs: string;
  signIn(label: string): void;
  token: string | null;
  claims: Claims;
  /** The API's today (UTC or the server's injected clock): the rules run on it. */
  today: string;
  programs: Program[];
  api: Api;
  t(key: TextKey, values?: Record<string, string | number>): string;
  programName(programId: string | null | undefined): string;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionProvider");
  return session;
}

/** Whether the signed-in role may change the partner's data (the server checks again). */
export function useCanManage(): boolean {
  const { claims } = useSession();
  return claims.roles.some((role) => role === "partner_admin" || role === "global_admin");
}

function claimsOf(token: string | null): Claims {
  if (!token) return { roles: [] };
  try {
    const payload = token.split(".")[1] ?? "";
    const json = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as Partial<Claims>;
    return {
      sub: json.sub,
      partnerId: json.partnerId,
      customerId: json.customerId,
      roles: Array.isArray(json.roles) ? json.roles : [],
    };
  } catch {
    return { roles: [] };
  }
}

function browserToday(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

const stored = (key: string) => {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
};
const store = (key: string, value: string) => {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private mode: the choice lasts until reload.
  }
};

export function SessionProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(stored("saps.locale") === "zh-CN" ? "zh-CN" : "en");
  const [demoTokens, setDemoTokens] = useState<Record<string, string>>({});
  const [ready, setReady] = useState(false);
  const [signedInAs, setSignedInAs] = useState(stored("saps.signedInAs") ?? "");
  const [today, setToday] = useState(browserToday());
  const [programs, setPrograms] = useState<Program[]>([]);

  useEffect(() => {
    document.documentElement.lang = locale === "zh-CN" ? "zh-Hans" : "en";
  }, [locale]);

  useEffect(() => {
    const load = async (path: string) => {
      try {
        const reply = await fetch(path, { headers: { accept: "application/json" } });
        return reply.ok ? ((await reply.json()) as unknown) : null;
      } catch {
        return null;
      }
    };
    void load("/demo/tokens").then((tokens) => {
      if (tokens && typeof tokens === "object") setDemoTokens(tokens as Record<string, string>);
      // Until now a reload would have shown the anonymous pages for a moment.
      setReady(true);
    });
    void load("/healthz").then((health) => {
      const day = (health as { today?: unknown } | null)?.today;
      if (typeof day === "string" && /^\d{4}-\d{2}-\d{2}$/.test(day)) setToday(day);
    });
  }, []);

  const token = demoTokens[signedInAs] ?? null;
  const api = useMemo(() => apiClient(token, locale), [token, locale]);

  useEffect(() => {
    void settle(api.GET("/v1/programs"), "").then((reply) => {
      if (reply.ok) setPrograms(reply.data);
    });
  }, [api]);

  const setLocale = useCallback((next: Locale) => {
    store("saps.locale", next);
    setLocaleState(next);
  }, []);
  const signIn = useCallback((label: string) => {
    store("saps.signedInAs", label);
    setSignedInAs(label);
  }, []);

  const session = useMemo<Session>(
    () => ({
      locale,
      setLocale,
      ready,
      demoTokens,
      signedInAs: token ? signedInAs : "",
      signIn,
      token,
      claims: claimsOf(token),
      today,
      programs,
      api,
      t: (key, values) => translate(locale, key, values),
      programName: (id) => {
        const program = programs.find((p) => p.id === id);
        return program ? program.name[locale] : (id ?? "");
      },
    }),
    [locale, setLocale, ready, demoTokens, signedInAs, signIn, token, today, programs, api],
  );
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
