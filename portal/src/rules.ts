// saps-rules (the WebAssembly build of saps-core): every form is checked by the same rules the
// server runs, as the user types.
import { useEffect, useMemo, useState } from "react";
import init from "saps-rules/web";
import type { Failure, Locale, RuleAnswer } from "saps-rules/web";
import type { Program } from "./api/client";
import { useSession } from "./session";

let loading: Promise<unknown> | null = null;

/** Whether the rules' module is ready; starts loading it on first use. */
export function useRulesReady(): boolean {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let live = true;
    loading ??= init();
    void loading.then(() => live && setReady(true));
    return () => {
      live = false;
    };
  }, []);
  return ready;
}

export type Check<I, O> = (input: I, today: string, locale: Locale) => RuleAnswer<O>;

/** A failure's messages: by field path, and those that name no field. */
export interface Messages {
  byField: Map<string, string>;
  general: string[];
}

export function messagesOf(failures: Failure[]): Messages {
  const byField = new Map<string, string>();
  const general: string[] = [];
  for (const failure of failures) {
    for (const field of failure.fields) {
      if (!byField.has(field.field)) byField.set(field.field, field.message);
    }
    // The summary of a failure whose fields each have their own message says nothing more.
    if (failure.fields.length === 0) general.push(failure.message);
  }
  return { byField, general };
}

/** The message for `field` or for anything under it (`deliverables` covers `deliverables[0].size`). */
export function messageFor(messages: Messages, field: string): string | undefined {
  const exact = messages.byField.get(field);
  if (exact) return exact;
  for (const [path, message] of messages.byField) {
    if (path.startsWith(`${field}[`) || path.startsWith(`${field}.`)) return message;
  }
  return undefined;
}

type AllRules = typeof import("saps-rules/all");
let loadingAll: Promise<AllRules> | null = null;

/**
 * The rules outside the partners' form module (the customer's pool among them), from
 * `saps-rules/all`: loaded on the first page that needs them, with the server's catalog.
 */
function useAllRules(programs: Program[]): AllRules | null {
  const [rules, setRules] = useState<AllRules | null>(null);
  useEffect(() => {
    let live = true;
    loadingAll ??= import("saps-rules/all").then(async (module) => {
      await module.default();
      return module;
    });
    void loadingAll.then((module) => {
      if (!live) return;
      if (programs.length > 0) module.useCatalog(programs as never);
      setRules(module);
    });
    return () => {
      live = false;
    };
  }, [programs]);
  return rules;
}

/**
 * The check of `rule` from `saps-rules/all`, which reads the form's fields with `context` beside
 * them (the stored state the rule decides on); null while the module loads. `context` should
 * keep its identity between renders (a `useMemo`), or every render checks again.
 */
export function useAllRulesCheck<I extends object>(rule: string, context: unknown): Check<I, unknown> | null {
  const { programs } = useSession();
  const rules = useAllRules(programs);
  return useMemo(
    () =>
      rules &&
      ((form: I, today: string, locale: Locale) =>
        rules.run(rule, { ...form, context }, today, locale) as RuleAnswer<unknown>),
    [rules, rule, context],
  );
}
