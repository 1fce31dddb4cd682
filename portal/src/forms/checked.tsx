// A form checked by saps-rules on every change, whose messages appear beside the fields once a
// field is left or the form is sent; the server's verdict is shown the same way.
import {
  Field,
  Label,
  MessageBar,
  MessageBarBody,
  Text,
  makeStyles,
  tokens,
  type FieldProps,
} from "@fluentui/react-components";
import { useCallback, useId, useMemo, useRef, useState, type ReactElement, type ReactNode } from "react";
import type { Failure } from "../api/client";
import { messageFor, messagesOf, useRulesReady, type Check, type Messages } from "../rules";
import { useSession } from "../session";

export interface CheckedForm<O> {
  /** The rules' verdict on the current input (null while the rules load). */
  output: O | null;
  /** The message to show beside `field` now, if any. */
  message(field: string): string | undefined;
  /** Called by a field as it renders: the form shows `field`'s messages beside it. */
  show(field: string): void;
  /**
   * The messages no field shows (read by [`FormMessages`], which renders after the fields):
   * those naming no field, and those naming a path no field of this form shows, such as a
   * server's `voucherNumber` refusal on a form that has no such field.
   */
  unshown(): string[];
  touch(field: string): void;
  /** Marks every field as shown; answers the checked output when the input passes. */
  submit(): O | null;
  /** Shows the server's refusal beside the fields it names. */
  refuse(failure: Failure): void;
  reset(): void;
}

/** `check` may be null while its module loads (the rules of `saps-rules/all`). */
export function useCheckedForm<I, O>(check: Check<I, O> | null, input: I): CheckedForm<O> {
  const { today, locale } = useSession();
  const ready = useRulesReady();
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [server, setServer] = useState<Failure | null>(null);

  const answer = useMemo(
    () => (ready && check ? check(input, today, locale) : null),
    [ready, check, input, today, locale],
  );
  const local = useMemo(() => messagesOf(answer?.type === "failure" ? answer.errors : []), [answer]);
  const remote = useMemo(() => messagesOf(server ? [server] : []), [server]);

  // Rebuilt on every render of the form's owner; its fields render after it and register here.
  const shown = useRef<Set<string>>(new Set());
  shown.current = new Set();
  const isShown = (path: string) =>
    [...shown.current].some(
      (name) => path === name || path.startsWith(`${name}[`) || path.startsWith(`${name}.`),
    );

  const touch = useCallback((field: string) => {
    setTouched((was) => (was.has(field) ? was : new Set(was).add(field)));
  }, []);

  return {
    output: answer?.type === "success" ? answer.output : null,
    message: (field) =>
      messageFor(remote, field) ?? (submitted || touched.has(field) ? messageFor(local, field) : undefined),
    show: (field) => shown.current.add(field),
    unshown: () => {
      const elsewhere = (messages: Messages) =>
        [...messages.byField].filter(([path]) => !isShown(path)).map(([, message]) => message);
      return [
        ...remote.general,
        ...elsewhere(remote),
        ...(submitted ? [...local.general, ...elsewhere(local)] : []),
      ];
    },
    touch,
    submit: () => {
      setSubmitted(true);
      setServer(null);
      return answer?.type === "success" ? answer.output : null;
    },
    refuse: setServer,
    reset: () => {
      setSubmitted(false);
      setTouched(new Set());
      setServer(null);
    },
  };
}

/** A Fluent field whose validation message is the checked form's for `name`. */
export function CheckedField({
  form,
  name,
  children,
  ...props
}: { form: CheckedForm<unknown>; name: string; children: ReactElement } & Omit<
  FieldProps,
  "children" | "validationMessage" | "validationState"
>) {
  form.show(name);
  const message = form.message(name);
  return (
    <Field
      {...props}
      validationMessage={message}
      validationState={message ? "error" : "none"}
      onBlur={() => form.touch(name)}
    >
      {children}
    </Field>
  );
}

const useGroupStyles = makeStyles({
  group: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
  error: { color: tokens.colorPaletteRedForeground1 },
  hint: { color: tokens.colorNeutralForeground3 },
});

/**
 * A group of choices (checkboxes) checked as one field. Not a Fluent `Field`: a Field hands its
 * one control id to every control inside it, and a group has several.
 */
export function CheckedGroup({
  form,
  name,
  label,
  hint,
  children,
}: {
  form: CheckedForm<unknown>;
  name: string;
  label: string;
  hint?: string;
  children: ReactNode;
}) {
  const styles = useGroupStyles();
  const id = useId();
  form.show(name);
  const message = form.message(name);
  return (
    <div
      role="group"
      aria-labelledby={`${id}-label`}
      aria-describedby={`${id}-hint ${id}-message`}
      className={styles.group}
      onBlur={() => form.touch(name)}
    >
      <Label id={`${id}-label`} required>
        {label}
      </Label>
      {children}
      {message && (
        <Text id={`${id}-message`} role="alert" size={200} className={styles.error}>
          {message}
        </Text>
      )}
      {hint && (
        <Text id={`${id}-hint`} size={200} className={styles.hint}>
          {hint}
        </Text>
      )}
    </div>
  );
}

/** The form's messages that no field shows, above its buttons; render it after the fields. */
export function FormMessages({ form }: { form: CheckedForm<unknown> }) {
  const messages = [...new Set(form.unshown())];
  if (messages.length === 0) return null;
  return (
    <MessageBar intent="error">
      <MessageBarBody>
        {messages.map((m) => (
          <div key={m}>{m}</div>
        ))}
      </MessageBarBody>
    </MessageBar>
  );
}
