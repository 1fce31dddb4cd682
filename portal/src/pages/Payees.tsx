// The global administrator's payees: who Microsoft pays, per program (SPEC §15.6). A payee can
// be registered once a voucher of the program is redeemed; claims need one.
import {
  Button,
  Input,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from "@fluentui/react-components";
import { useMemo, useState } from "react";
import { settle, type Reply, type Schemas } from "../api/client";
import { Done, Loaded, PageHeading, Section } from "../components";
import { ActionDialog } from "../forms/dialog";
import { CheckedField, FormMessages, useCheckedForm } from "../forms/checked";
import { useLoad } from "../load";
import { useAllRulesCheck } from "../rules";
import { useSession } from "../session";
import { allVouchers } from "./voucherList";

type Payee = Schemas["Payee"];

const PAID_STATES = ["redeemed", "claimed", "paid"];

export function Payees() {
  const { t, api, claims, programs, programName } = useSession();
  const partnerId = claims.partnerId ?? "";
  const [editing, setEditing] = useState<{
    programId: string;
    payee: Payee | null;
    redeemed: boolean;
  } | null>(null);
  const [done, setDone] = useState("");
  const payees = useLoad(async () => {
    const rows = await Promise.all(
      programs.map(async (program) => {
        const reply = await settle(
          api.GET("/v1/partners/{partnerId}/payees/{programId}", {
            params: { path: { partnerId, programId: program.id } },
          }),
          t("problem.network"),
        );
        return { programId: program.id, payee: reply.ok ? reply.data : null };
      }),
    );
    return { ok: true, status: 200, data: rows, replayed: false } satisfies Reply<unknown>;
  }, [api, partnerId, programs]);
  const vouchers = useLoad(
    () => allVouchers(api, partnerId, undefined, t("problem.network")),
    [api, partnerId],
  );
  const redeemed = (programId: string) =>
    vouchers.reply?.ok === true &&
    vouchers.reply.data.some((v) => v.programId === programId && PAID_STATES.includes(v.effectiveState));
  return (
    <>
      <PageHeading title={t("payees.title")} />
      <Text block>{t("payees.explain")}</Text>
      {done && <Done>{done}</Done>}
      <Section>
        {/* The catalog comes first: before it, there is no program to show a payee for. */}
        <Loaded reply={programs.length > 0 ? payees.reply : null}>
          {(rows) => (
            <Table aria-label={t("payees.title")}>
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>{t("column.program")}</TableHeaderCell>
                  <TableHeaderCell>{t("column.payee")}</TableHeaderCell>
                  <TableHeaderCell>{t("column.actions")}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {rows.map(({ programId, payee }) => (
                  <TableRow key={programId}>
                    <TableCell>{programName(programId)}</TableCell>
                    <TableCell>
                      {payee
                        ? t("payees.registered", {
                            name: payee.payeeName,
                            country: payee.country,
                            currency: payee.currency,
                            day: payee.registeredOn,
                          })
                        : redeemed(programId)
                          ? t("payees.none")
                          : t("payees.notYet")}
                    </TableCell>
                    <TableCell>
                      {(payee || redeemed(programId)) && (
                        <Button
                          size="small"
                          aria-label={`${t(payee ? "action.change" : "action.register")} ${programName(programId)}`}
                          onClick={() => setEditing({ programId, payee, redeemed: redeemed(programId) })}
                        >
                          {t(payee ? "action.change" : "action.register")}
                        </Button>
                      )}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </Loaded>
      </Section>
      {editing && (
        <PayeeDialog
          {...editing}
          partnerId={partnerId}
          onClose={() => setEditing(null)}
          onDone={(message) => {
            setEditing(null);
            setDone(message);
            payees.reload();
          }}
        />
      )}
    </>
  );
}

interface PayeeInput {
  payeeName?: string;
  country?: string;
  currency?: string;
  taxId?: string;
}

function PayeeDialog({
  partnerId,
  programId,
  payee,
  redeemed,
  onClose,
  onDone,
}: {
  partnerId: string;
  programId: string;
  payee: Payee | null;
  redeemed: boolean;
  onClose(): void;
  onDone(message: string): void;
}) {
  const { t, api, programName } = useSession();
  const [fields, setFields] = useState({
    payeeName: payee?.payeeName ?? "",
    country: payee?.country ?? "",
    currency: payee?.currency ?? "",
    taxId: payee?.taxId ?? "",
  });
  const input = useMemo<PayeeInput>(
    () => ({
      payeeName: fields.payeeName || undefined,
      country: fields.country || undefined,
      currency: fields.currency || undefined,
      taxId: fields.taxId.trim() || undefined,
    }),
    [fields],
  );
  const context = useMemo(() => ({ programId, redeemed }), [programId, redeemed]);
  const form = useCheckedForm(useAllRulesCheck<PayeeInput>("registerPayee", context), input);
  const set = (name: keyof typeof fields) => (_: unknown, d: { value: string }) =>
    setFields((was) => ({ ...was, [name]: d.value }));
  return (
    <ActionDialog
      open
      title={t("payees.dialog", { program: programName(programId) })}
      sendLabel={t("action.save")}
      onClose={onClose}
      onSend={async () => {
        if (!form.submit()) return;
        const reply = await settle(
          api.PUT("/v1/partners/{partnerId}/payees/{programId}", {
            params: { path: { partnerId, programId } },
            body: input,
          }),
          t("problem.network"),
        );
        if (reply.ok) onDone(t("done.payee", { program: programName(programId) }));
        else form.refuse(reply.failure);
      }}
    >
      <CheckedField form={form} name="payeeName" label={t("field.payeeName")} required>
        <Input value={fields.payeeName} onChange={set("payeeName")} />
      </CheckedField>
      <CheckedField
        form={form}
        name="country"
        label={t("field.country")}
        hint={t("field.countryHint")}
        required
      >
        <Input value={fields.country} onChange={set("country")} />
      </CheckedField>
      <CheckedField
        form={form}
        name="currency"
        label={t("field.currency")}
        hint={t("field.currencyHint")}
        required
      >
        <Input value={fields.currency} onChange={set("currency")} />
      </CheckedField>
      <CheckedField form={form} name="taxId" label={t("field.taxId")}>
        <Input value={fields.taxId} onChange={set("taxId")} />
      </CheckedField>
      <FormMessages form={form} />
    </ActionDialog>
  );
}
