// The partner's dashboard: eligibility per program with what is missing, enrollments with their
// renewal window, vouchers by state (those expiring within 30 days first), and claims.
import {
  Badge,
  Button,
  Checkbox,
  Link,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useMemo, useState } from "react";
import { checkEnrollmentForm, type EnrollmentFormInput } from "saps-rules/web";
import { settle, type Schemas } from "../api/client";
import { Done, Loaded, PageHeading, Problem, Section, StateBadge } from "../components";
import { ActionDialog } from "../forms/dialog";
import { CheckedGroup, FormMessages, useCheckedForm } from "../forms/checked";
import { locationLabel, usePartnerLocations } from "../forms/VoucherActions";
import { money } from "../format";
import type { TextKey } from "../i18n";
import { useLoad } from "../load";
import { href } from "../routes";
import { useCanManage, useSession } from "../session";
import { allVouchers, expiringSoon } from "./voucherList";

type ProgramEligibility = Schemas["ProgramEligibility"];
type EnrollmentView = Schemas["EnrollmentView"];

const useStyles = makeStyles({
  grid: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fit, minmax(320px, 1fr))",
    gap: tokens.spacingHorizontalL,
  },
  counts: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS },
  unmet: { margin: `${tokens.spacingVerticalXS} 0 0`, paddingLeft: tokens.spacingHorizontalL },
});

const STATUS_COLOUR = { active: "success", inProgress: "warning", notStarted: "informative" } as const;

export function Dashboard() {
  const styles = useStyles();
  const { t, api, claims, today } = useSession();
  const partnerId = claims.partnerId ?? "";
  const [done, setDone] = useState("");
  const path = { path: { partnerId } };
  const eligibility = useLoad(
    () => settle(api.GET("/v1/partners/{partnerId}/eligibility", { params: path }), t("problem.network")),
    [api, partnerId],
  );
  const enrollments = useLoad(
    () => settle(api.GET("/v1/partners/{partnerId}/enrollments", { params: path }), t("problem.network")),
    [api, partnerId],
  );
  const vouchers = useLoad(
    () => allVouchers(api, partnerId, undefined, t("problem.network")),
    [api, partnerId],
  );
  const claimList = useLoad(
    () => settle(api.GET("/v1/partners/{partnerId}/claims", { params: path }), t("problem.network")),
    [api, partnerId],
  );
  const changed = (message: string) => {
    setDone(message);
    enrollments.reload();
    eligibility.reload();
  };
  return (
    <>
      <PageHeading title={t("dashboard.title", { partner: partnerId })} />
      {done && <Done>{done}</Done>}
      <div className={styles.grid}>
        <Section title={t("dashboard.eligibility")} wide>
          <Loaded reply={eligibility.reply}>
            {(answer) => (
              <EligibilityTable
                programs={answer.programs}
                enrolled={enrollments.reply?.ok ? enrollments.reply.data : []}
                onChanged={changed}
              />
            )}
          </Loaded>
        </Section>
        <Section title={t("dashboard.enrollments")}>
          <Loaded reply={enrollments.reply}>
            {(list) => <EnrollmentTable enrollments={list} onChanged={changed} />}
          </Loaded>
        </Section>
        <Section title={t("dashboard.vouchers")}>
          <Loaded reply={vouchers.reply}>
            {(list) => {
              const counts = new Map<string, number>();
              list.forEach((v) => counts.set(v.effectiveState, (counts.get(v.effectiveState) ?? 0) + 1));
              const soon = list.filter((v) => expiringSoon(v, today));
              return (
                <>
                  <div className={styles.counts}>
                    {[...counts].map(([state, count]) => (
                      <Badge key={state} appearance="outline" size="large">
                        {t(`state.${state}` as TextKey)}: {count}
                      </Badge>
                    ))}
                  </div>
                  <Text weight="semibold" block style={{ marginTop: tokens.spacingVerticalM }}>
                    {t("dashboard.expiringSoon", { count: soon.length })}
                  </Text>
                  <ul>
                    {soon.map((v) => (
                      <li key={v.voucherNumber}>
                        <Link href={href("voucher", v.voucherNumber)}>{v.voucherNumber}</Link> · {v.expiresOn}
                      </li>
                    ))}
                  </ul>
                  <Link href={href("vouchers")}>{t("dashboard.allVouchers")}</Link>
                </>
              );
            }}
          </Loaded>
        </Section>
        <Section title={t("dashboard.claims")}>
          <Loaded reply={claimList.reply}>
            {(page) =>
              page.items.length === 0 ? <Text>{t("claims.none")}</Text> : <ClaimSummary claims={page.items} />
            }
          </Loaded>
        </Section>
      </div>
    </>
  );
}

function ClaimSummary({ claims }: { claims: Schemas["Claim"][] }) {
  const { t, locale } = useSession();
  return (
    <ul>
      {claims.map((c) => (
        <li key={c.claimId}>
          {c.claimId} · {money(c.amount, locale)} · <StateBadge state={c.state} />
        </li>
      ))}
      <li>
        <Link href={href("claims")}>{t("dashboard.allClaims")}</Link>
      </li>
    </ul>
  );
}

function EligibilityTable({
  programs,
  enrolled,
  onChanged,
}: {
  programs: ProgramEligibility[];
  enrolled: EnrollmentView[];
  onChanged(message: string): void;
}) {
  const styles = useStyles();
  const { t, programName } = useSession();
  const canManage = useCanManage();
  const [enrolling, setEnrolling] = useState<string | null>(null);
  return (
    <>
      <Table size="small" aria-label={t("dashboard.eligibility")}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>{t("column.program")}</TableHeaderCell>
            <TableHeaderCell>{t("column.status")}</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {programs.map((p) => {
            const unmet = p.requirements.filter((r) => !r.met);
            const current = enrolled.some(
              (e) => e.programId === p.programId && (e.status === "active" || e.status === "renewalDue"),
            );
            return (
              <TableRow key={p.programId}>
                <TableCell>{programName(p.programId)}</TableCell>
                <TableCell>
                  <Badge appearance="tint" color={STATUS_COLOUR[p.status]}>
                    {t(`eligibility.${p.status}`)}
                  </Badge>
                  {unmet.length > 0 && (
                    <ul className={styles.unmet}>
                      {unmet.map((r, i) => (
                        <li key={i}>
                          {r.action ? t(`requiredAction.${r.action}` as TextKey) : r.requirement.kind}
                        </li>
                      ))}
                    </ul>
                  )}
                  {p.status === "active" && !current && canManage && (
                    <Button size="small" appearance="primary" onClick={() => setEnrolling(p.programId)}>
                      {t("action.enroll")}
                    </Button>
                  )}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      {enrolling && (
        <EnrollDialog
          programId={enrolling}
          onClose={() => setEnrolling(null)}
          onDone={(message) => {
            setEnrolling(null);
            onChanged(message);
          }}
        />
      )}
    </>
  );
}

function EnrollDialog({
  programId,
  onClose,
  onDone,
}: {
  programId: string;
  onClose(): void;
  onDone(message: string): void;
}) {
  const { t, api, claims, programName } = useSession();
  const approved = usePartnerLocations(claims.partnerId);
  const [chosen, setChosen] = useState<string[]>([]);
  const input = useMemo<EnrollmentFormInput>(
    () => ({
      programId,
      locationIds: chosen,
      context: { partnerLocations: approved.map((l) => l.locationId) },
    }),
    [programId, chosen, approved],
  );
  const form = useCheckedForm(checkEnrollmentForm, input);
  return (
    <ActionDialog
      open
      title={t("enroll.title", { program: programName(programId) })}
      sendLabel={t("action.enroll")}
      onClose={onClose}
      onSend={async () => {
        if (!form.submit()) return;
        const reply = await settle(
          api.POST("/v1/partners/{partnerId}/enrollments", {
            params: { path: { partnerId: claims.partnerId ?? "" } },
            body: { programId, locationIds: input.locationIds },
          }),
          t("problem.network"),
        );
        if (reply.ok) onDone(t("done.enroll", { program: programName(programId) }));
        else form.refuse(reply.failure);
      }}
    >
      <CheckedGroup
        form={form}
        name="locationIds"
        label={t("field.locationIds")}
        hint={t("field.locationIdsHint")}
      >
        {approved.map((location) => (
          <Checkbox
            key={location.locationId}
            label={locationLabel(location)}
            checked={chosen.includes(location.locationId)}
            onChange={(_, d) =>
              setChosen((was) =>
                d.checked === true
                  ? [...was, location.locationId]
                  : was.filter((id) => id !== location.locationId),
              )
            }
          />
        ))}
      </CheckedGroup>
      <FormMessages form={form} />
    </ActionDialog>
  );
}

function EnrollmentTable({
  enrollments,
  onChanged,
}: {
  enrollments: EnrollmentView[];
  onChanged(message: string): void;
}) {
  const { t, api, claims, programName } = useSession();
  const canManage = useCanManage();
  const [problem, setProblem] = useState<Schemas["Failure"] | null>(null);
  if (enrollments.length === 0) return <Text>{t("enrollments.none")}</Text>;
  const act = async (programId: string, what: "renew" | "withdraw") => {
    setProblem(null);
    const params = { path: { partnerId: claims.partnerId ?? "", programId } };
    const reply = await settle(
      what === "renew"
        ? api.POST("/v1/partners/{partnerId}/enrollments/{programId}/renewal", { params })
        : api.DELETE("/v1/partners/{partnerId}/enrollments/{programId}", { params }),
      t("problem.network"),
    );
    if (reply.ok) onChanged(t(`done.${what}`, { program: programName(programId) }));
    else setProblem(reply.failure);
  };
  return (
    <>
      {problem && <Problem failure={problem} />}
      <Table size="small" aria-label={t("dashboard.enrollments")}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>{t("column.program")}</TableHeaderCell>
            <TableHeaderCell>{t("column.status")}</TableHeaderCell>
            <TableHeaderCell>{t("column.dates")}</TableHeaderCell>
            <TableHeaderCell>{t("column.actions")}</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {enrollments.map((e) => (
            <TableRow key={e.programId}>
              <TableCell>
                {programName(e.programId)}
                <Text size={200} block>
                  {t("enrollments.locations", { ids: e.locationIds.join(", ") })}
                </Text>
              </TableCell>
              <TableCell>{t(`enrollment.${e.status}` as TextKey)}</TableCell>
              <TableCell>
                <Text size={200} block>
                  {t("enrollments.expires", { day: e.expiresOn })}
                </Text>
                <Text size={200} block>
                  {t("enrollments.renewalOpens", { day: e.renewalWindow.start })}
                </Text>
              </TableCell>
              <TableCell>
                {canManage && e.status !== "withdrawn" && e.status !== "expired" && (
                  <>
                    <Button
                      size="small"
                      disabled={e.status !== "renewalDue"}
                      onClick={() => void act(e.programId, "renew")}
                    >
                      {t("action.renew")}
                    </Button>{" "}
                    <Button size="small" onClick={() => void act(e.programId, "withdraw")}>
                      {t("action.withdraw")}
                    </Button>
                  </>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </>
  );
}
