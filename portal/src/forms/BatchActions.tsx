// Actions on several vouchers at once: redeem (a preview, then a confirmation) and claim.
import {
  Checkbox,
  Input,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from "@fluentui/react-components";
import { useMemo, useState } from "react";
import { checkClaimForm, checkRedemptionForm, type ClaimForm, type RedemptionForm } from "saps-rules/web";
import { settle, type Claim } from "../api/client";
import { Problem } from "../components";
import { money } from "../format";
import { useLoad } from "../load";
import { useSession } from "../session";
import { ActionDialog } from "./dialog";
import { CheckedField, FormMessages, useCheckedForm } from "./checked";

export interface BatchDialogProps {
  voucherNumbers: string[];
  onClose(): void;
  onDone(message: string): void;
}

export function RedeemDialog({ voucherNumbers, onClose, onDone }: BatchDialogProps) {
  const { t, api, locale, programName } = useSession();
  const [confirmed, setConfirmed] = useState(false);
  const preview = useLoad(
    () => settle(api.POST("/v1/redemptions/preview", { body: { voucherNumbers } }), t("problem.network")),
    [api, voucherNumbers.join(",")],
  );
  const input = useMemo<RedemptionForm>(
    () => ({ voucherNumbers, confirm: confirmed }),
    [voucherNumbers, confirmed],
  );
  const form = useCheckedForm(checkRedemptionForm, input);
  const lines = preview.reply?.ok ? preview.reply.data : null;
  return (
    <ActionDialog
      open
      title={t("redeem.title", { count: voucherNumbers.length })}
      sendLabel={t("action.redeem")}
      canSend={lines?.redeemable === true}
      onClose={onClose}
      onSend={async (key) => {
        if (!form.submit()) return;
        const reply = await settle(
          api.POST("/v1/redemptions", { params: { header: { "Idempotency-Key": key } }, body: input }),
          t("problem.network"),
        );
        if (reply.ok) onDone(t("redeem.done", { count: reply.data.vouchers.length }));
        else form.refuse(reply.failure);
      }}
    >
      {!preview.reply && <Spinner label={t("redeem.previewing")} />}
      {preview.reply && !preview.reply.ok && <Problem failure={preview.reply.failure} />}
      {lines && (
        <>
          <Table aria-label={t("redeem.preview")} size="small">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>{t("column.voucher")}</TableHeaderCell>
                <TableHeaderCell>{t("column.program")}</TableHeaderCell>
                <TableHeaderCell>{t("column.daysDelivered")}</TableHeaderCell>
                <TableHeaderCell>{t("column.value")}</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {lines.lines.map((line) => (
                <TableRow key={line.voucherNumber}>
                  <TableCell>{line.voucherNumber}</TableCell>
                  <TableCell>{programName(line.programId)}</TableCell>
                  <TableCell>
                    {line.daysDelivered != null
                      ? t("redeem.daysOf", { delivered: line.daysDelivered, days: line.days ?? 0 })
                      : "—"}
                  </TableCell>
                  <TableCell>
                    {line.redeemable
                      ? line.value
                        ? money(line.value, locale)
                        : "—"
                      : line.reasons.map((r) => r.message).join("; ")}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <Text weight="semibold">
            {t("redeem.total")}: {lines.totals.map((m) => money(m, locale)).join(" + ") || "—"}
          </Text>
          <CheckedField form={form} name="confirm">
            <Checkbox
              checked={confirmed}
              disabled={!lines.redeemable}
              label={t("redeem.confirm")}
              onChange={(_, d) => setConfirmed(d.checked === true)}
            />
          </CheckedField>
        </>
      )}
      <FormMessages form={form} />
    </ActionDialog>
  );
}

export function ClaimDialog({ voucherNumbers, onClose, onDone }: BatchDialogProps) {
  const { t, api, locale } = useSession();
  const [invoice, setInvoice] = useState("");
  const input = useMemo<ClaimForm>(
    () => ({ voucherNumbers, invoiceNumber: invoice.trim() === "" ? undefined : invoice }),
    [voucherNumbers, invoice],
  );
  const form = useCheckedForm(checkClaimForm, input);
  return (
    <ActionDialog
      open
      title={t("claim.title", { count: voucherNumbers.length })}
      sendLabel={t("action.createClaim")}
      onClose={onClose}
      onSend={async (key) => {
        if (!form.submit()) return;
        const reply = await settle(
          api.POST("/v1/claims", { params: { header: { "Idempotency-Key": key } }, body: input }),
          t("problem.network"),
        );
        if (reply.ok) onDone(claimDone(reply.data, t, locale));
        else form.refuse(reply.failure);
      }}
    >
      <Text>{voucherNumbers.join(", ")}</Text>
      <CheckedField form={form} name="invoiceNumber" label={t("field.invoiceNumber")} required>
        <Input value={invoice} onChange={(_, d) => setInvoice(d.value)} />
      </CheckedField>
      <FormMessages form={form} />
    </ActionDialog>
  );
}

function claimDone(claim: Claim, t: ReturnType<typeof useSession>["t"], locale: "en" | "zh-CN"): string {
  return t("claim.done", { id: claim.claimId, amount: money(claim.amount, locale) });
}
