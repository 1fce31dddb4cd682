// Pieces every page shares: its heading, a refusal in plain words, a voucher's state.
import {
  Badge,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  makeStyles,
  tokens,
  type BadgeProps,
} from "@fluentui/react-components";
import type { ReactNode } from "react";
import type { ClaimState, Failure, Reply, VoucherState } from "./api/client";
import type { TextKey } from "./i18n";
import { useSession } from "./session";

const useStyles = makeStyles({
  heading: {
    display: "flex",
    flexWrap: "wrap",
    alignItems: "center",
    gap: tokens.spacingHorizontalM,
    marginBottom: tokens.spacingVerticalL,
  },
  grow: { flexGrow: 1 },
  wide: { gridColumn: "1 / -1" },
  section: {
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusMedium,
    boxShadow: tokens.shadow4,
    padding: tokens.spacingHorizontalL,
    marginBottom: tokens.spacingVerticalL,
    overflowX: "auto",
  },
});

const useTableStyles = makeStyles({
  // Below this width a many-column table scrolls inside its section instead of squeezing its
  // cells until words overlap (a phone held upright).
  wide: { minWidth: "720px", tableLayout: "auto" },
});

/** The class of a table with many columns: it keeps its width and scrolls on a narrow screen. */
export function useWideTable(): string {
  return useTableStyles().wide;
}

export function PageHeading({ title, children }: { title: string; children?: ReactNode }) {
  const styles = useStyles();
  return (
    <div className={styles.heading}>
      <Text as="h2" size={700} weight="semibold" className={styles.grow}>
        {title}
      </Text>
      {children}
    </div>
  );
}

/** A card of a page; `wide` spans every column of a page's grid. */
export function Section({ title, wide, children }: { title?: string; wide?: boolean; children: ReactNode }) {
  const styles = useStyles();
  return (
    <section className={wide ? `${styles.section} ${styles.wide}` : styles.section} aria-label={title}>
      {title && (
        <Text as="h3" size={500} weight="semibold" block style={{ marginBottom: tokens.spacingVerticalM }}>
          {title}
        </Text>
      )}
      {children}
    </section>
  );
}

/** A refusal as a person reads it: the server's own message (already in the page's language). */
export function Problem({ failure, status }: { failure: Failure; status?: number }) {
  const { t } = useSession();
  const title =
    status === 401 ? t("problem.signIn") : status === 403 ? t("problem.forbidden") : t("problem.title");
  return (
    <MessageBar intent="error" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>{title}</MessageBarTitle>
        {failure.message}
        {failure.fields.length > 0 && (
          <ul>
            {failure.fields.map((field) => (
              <li key={field.field}>{field.message}</li>
            ))}
          </ul>
        )}
      </MessageBarBody>
    </MessageBar>
  );
}

export function Done({ children }: { children: ReactNode }) {
  return (
    <MessageBar intent="success" role="status">
      <MessageBarBody>{children}</MessageBarBody>
    </MessageBar>
  );
}

/** Renders `children` with the data once loaded; a spinner before, the refusal on failure. */
export function Loaded<T>({ reply, children }: { reply: Reply<T> | null; children: (data: T) => ReactNode }) {
  const { t } = useSession();
  if (!reply) return <Spinner label={t("app.loading")} />;
  if (!reply.ok) return <Problem failure={reply.failure} status={reply.status} />;
  return <>{children(reply.data)}</>;
}

const STATE_COLOURS: Record<VoucherState | ClaimState, BadgeProps["color"]> = {
  created: "informative",
  assigned: "brand",
  reserved: "important",
  completed: "success",
  redeemed: "success",
  claimed: "subtle",
  paid: "subtle",
  expired: "danger",
  submitted: "brand",
  approved: "success",
  rejected: "danger",
};

export function StateBadge({ state }: { state: VoucherState | ClaimState }) {
  const { t } = useSession();
  return (
    <Badge appearance="tint" color={STATE_COLOURS[state]}>
      {t(`state.${state}` as TextKey)}
    </Badge>
  );
}
