// The partner's claims (payment requests) with their status.
import {
  Dropdown,
  Field,
  Option,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from "@fluentui/react-components";
import { useState } from "react";
import { settle, type Claim } from "../api/client";
import { Loaded, PageHeading, Section, StateBadge, useWideTable } from "../components";
import { money } from "../format";
import type { TextKey } from "../i18n";
import { useLoad } from "../load";
import { useSession } from "../session";

export const CLAIM_STATES = ["submitted", "approved", "paid", "rejected"] as const;

export function ClaimStateFilter({ value, onChange }: { value: string; onChange(state: string): void }) {
  const { t } = useSession();
  return (
    <Field label={t("filter.state")}>
      <Dropdown
        value={value ? t(`state.${value}` as TextKey) : t("filter.all")}
        selectedOptions={[value]}
        onOptionSelect={(_, d) => onChange(d.optionValue ?? "")}
      >
        <Option value="">{t("filter.all")}</Option>
        {CLAIM_STATES.map((s) => (
          <Option key={s} value={s}>
            {t(`state.${s}`)}
          </Option>
        ))}
      </Dropdown>
    </Field>
  );
}

export function ClaimRows({ claims, extra }: { claims: Claim[]; extra?: (claim: Claim) => React.ReactNode }) {
  const { t, locale, programName } = useSession();
  const wide = useWideTable();
  if (claims.length === 0) return <Text>{t("claims.none")}</Text>;
  return (
    <Table aria-label={t("claims.title")} className={wide}>
      <TableHeader>
        <TableRow>
          <TableHeaderCell>{t("column.claim")}</TableHeaderCell>
          <TableHeaderCell>{t("column.program")}</TableHeaderCell>
          <TableHeaderCell>{t("column.vouchers")}</TableHeaderCell>
          <TableHeaderCell>{t("column.amount")}</TableHeaderCell>
          <TableHeaderCell>{t("column.state")}</TableHeaderCell>
          <TableHeaderCell>{t("column.dates")}</TableHeaderCell>
          {extra && <TableHeaderCell>{t("column.actions")}</TableHeaderCell>}
        </TableRow>
      </TableHeader>
      <TableBody>
        {claims.map((c) => (
          <TableRow key={c.claimId}>
            <TableCell>
              {c.claimId}
              <Text size={200} block>
                {t("claims.invoice", { invoice: c.invoiceNumber })}
              </Text>
            </TableCell>
            <TableCell>{programName(c.programId)}</TableCell>
            <TableCell>{c.voucherNumbers.join(", ")}</TableCell>
            <TableCell>{money(c.amount, locale)}</TableCell>
            <TableCell>
              <StateBadge state={c.state} />
            </TableCell>
            <TableCell>
              <Text size={200} block>
                {t("claims.submitted", { day: c.submittedOn })}
              </Text>
              {c.decidedOn && (
                <Text size={200} block>
                  {t("claims.decided", { day: c.decidedOn })}
                </Text>
              )}
            </TableCell>
            {extra && <TableCell>{extra(c)}</TableCell>}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

export function Claims() {
  const { t, api, claims } = useSession();
  const partnerId = claims.partnerId ?? "";
  const [state, setState] = useState("");
  const list = useLoad(
    () =>
      settle(
        api.GET("/v1/partners/{partnerId}/claims", {
          params: { path: { partnerId }, query: { state: state || undefined, limit: 100 } },
        }),
        t("problem.network"),
      ),
    [api, partnerId, state],
  );
  return (
    <>
      <PageHeading title={t("claims.title")} />
      <Section>
        <ClaimStateFilter value={state} onChange={setState} />
        <Loaded reply={list.reply}>{(page) => <ClaimRows claims={page.items} />}</Loaded>
      </Section>
    </>
  );
}
