// The customer's voucher administrator: planning days per program, the vouchers drawn from
// them, a new voucher from the pool, and assigning (or moving) a voucher to a partner.
import {
  Button,
  Dropdown,
  Input,
  Option,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from "@fluentui/react-components";
import { useMemo, useState } from "react";
import { settle, type Schemas, type VoucherView } from "../api/client";
import { Done, Loaded, PageHeading, Section, StateBadge, useWideTable } from "../components";
import { ActionDialog } from "../forms/dialog";
import { CheckedField, FormMessages, useCheckedForm } from "../forms/checked";
import { addDays } from "../format";
import { useLoad } from "../load";
import { useAllRulesCheck } from "../rules";
import { useSession } from "../session";

type CustomerView = Schemas["CustomerView"];

/** The stored shapes the rules take as context: a view without what the server adds on read. */
function storedVoucher({ effectiveState: _s, allowedActions: _a, extendedByDays, ...voucher }: VoucherView) {
  return extendedByDays ? { ...voucher, expiresOn: addDays(voucher.expiresOn, -extendedByDays) } : voucher;
}

function storedCustomer({ pools: _p, vouchers: _v, ...customer }: CustomerView) {
  return customer;
}

export function CustomerPool() {
  const { t, api, claims, programName } = useSession();
  const wide = useWideTable();
  const customerId = claims.customerId ?? "";
  const [done, setDone] = useState("");
  const [drawing, setDrawing] = useState(false);
  const [assigning, setAssigning] = useState<VoucherView | null>(null);
  const view = useLoad(
    () =>
      settle(
        api.GET("/v1/customers/{customerId}", { params: { path: { customerId } } }),
        t("problem.network"),
      ),
    [api, customerId],
  );
  // A confirmation speaks of the last action: starting another one clears it.
  const start = (action: () => void) => {
    setDone("");
    action();
  };
  const changed = (message: string) => {
    setDrawing(false);
    setAssigning(null);
    setDone(message);
    view.reload();
  };
  return (
    <>
      <Loaded reply={view.reply}>
        {(customer) => (
          <>
            <PageHeading title={t("customer.title", { name: customer.name })}>
              <Button appearance="primary" onClick={() => start(() => setDrawing(true))}>
                {t("action.createVoucher")}
              </Button>
            </PageHeading>
            {done && <Done>{done}</Done>}
            <Section title={t("customer.pools")}>
              <Table aria-label={t("customer.pools")}>
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell>{t("column.program")}</TableHeaderCell>
                    <TableHeaderCell>{t("customer.entitlement")}</TableHeaderCell>
                    <TableHeaderCell>{t("customer.used")}</TableHeaderCell>
                    <TableHeaderCell>{t("customer.balance")}</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {customer.pools.map((pool) => (
                    <TableRow key={pool.programId}>
                      <TableCell>{programName(pool.programId)}</TableCell>
                      <TableCell>{pool.entitlement}</TableCell>
                      <TableCell>{pool.used}</TableCell>
                      <TableCell>
                        <Text weight="semibold">{pool.balance}</Text>
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
              <Text size={200} block>
                {t("customer.saEnds", { day: customer.saEndsOn })}
              </Text>
            </Section>
            <Section title={t("customer.vouchers")}>
              {customer.vouchers.length === 0 ? (
                <Text>{t("vouchers.none")}</Text>
              ) : (
                <Table aria-label={t("customer.vouchers")} className={wide}>
                  <TableHeader>
                    <TableRow>
                      <TableHeaderCell>{t("column.voucher")}</TableHeaderCell>
                      <TableHeaderCell>{t("column.program")}</TableHeaderCell>
                      <TableHeaderCell>{t("column.days")}</TableHeaderCell>
                      <TableHeaderCell>{t("column.partner")}</TableHeaderCell>
                      <TableHeaderCell>{t("column.state")}</TableHeaderCell>
                      <TableHeaderCell>{t("column.expires")}</TableHeaderCell>
                      <TableHeaderCell>{t("column.actions")}</TableHeaderCell>
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {customer.vouchers.map((v) => (
                      <TableRow key={v.voucherNumber}>
                        <TableCell>{v.voucherNumber}</TableCell>
                        <TableCell>{programName(v.programId)}</TableCell>
                        <TableCell>{v.days}</TableCell>
                        <TableCell>{v.partnerId ?? "—"}</TableCell>
                        <TableCell>
                          <StateBadge state={v.effectiveState} />
                        </TableCell>
                        <TableCell>{v.expiresOn}</TableCell>
                        <TableCell>
                          {v.allowedActions.includes("assign") && (
                            <Button
                              size="small"
                              aria-label={`${t("action.assign")} ${v.voucherNumber}`}
                              onClick={() => start(() => setAssigning(v))}
                            >
                              {v.partnerId ? t("action.move") : t("action.assign")}
                            </Button>
                          )}
                        </TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              )}
            </Section>
            {drawing && <DrawDialog customer={customer} onClose={() => setDrawing(false)} onDone={changed} />}
            {assigning && (
              <AssignDialog voucher={assigning} onClose={() => setAssigning(null)} onDone={changed} />
            )}
          </>
        )}
      </Loaded>
    </>
  );
}

interface PoolVoucherInput {
  programId?: string;
  days?: number;
  partnerId?: string;
}

function DrawDialog({
  customer,
  onClose,
  onDone,
}: {
  customer: CustomerView;
  onClose(): void;
  onDone(message: string): void;
}) {
  const { t, api, programs, programName } = useSession();
  const [programId, setProgramId] = useState("");
  const [days, setDays] = useState("");
  const [partnerId, setPartnerId] = useState("");
  const input = useMemo<PoolVoucherInput>(
    () => ({
      programId: programId || undefined,
      days: /^\d+$/.test(days) ? Number(days) : undefined,
      partnerId: partnerId.trim() || undefined,
    }),
    [programId, days, partnerId],
  );
  const context = useMemo(
    () => ({ customer: storedCustomer(customer), vouchers: customer.vouchers.map(storedVoucher) }),
    [customer],
  );
  const form = useCheckedForm(useAllRulesCheck<PoolVoucherInput>("poolVoucherForm", context), input);
  const lengths = programs.find((p) => p.id === programId)?.engagementLengths ?? [];
  return (
    <ActionDialog
      open
      title={t("draw.title")}
      sendLabel={t("action.createVoucher")}
      onClose={onClose}
      onSend={async (key) => {
        if (!form.submit()) return;
        const reply = await settle(
          api.POST("/v1/customers/{customerId}/vouchers", {
            params: { path: { customerId: customer.customerId }, header: { "Idempotency-Key": key } },
            body: input,
          }),
          t("problem.network"),
        );
        if (reply.ok) onDone(t("done.draw", { number: reply.data.voucherNumber }));
        else form.refuse(reply.failure);
      }}
    >
      <CheckedField form={form} name="programId" label={t("filter.program")} required>
        <Dropdown
          placeholder={t("field.choose")}
          value={programId ? programName(programId) : ""}
          selectedOptions={[programId]}
          onOptionSelect={(_, d) => setProgramId(d.optionValue ?? "")}
        >
          {customer.pools.map((pool) => (
            <Option key={pool.programId} value={pool.programId}>
              {`${programName(pool.programId)} (${t("customer.balance")}: ${pool.balance})`}
            </Option>
          ))}
        </Dropdown>
      </CheckedField>
      <CheckedField
        form={form}
        name="days"
        label={t("column.days")}
        hint={lengths.length ? t("draw.lengths", { lengths: lengths.join(", ") }) : undefined}
        required
      >
        <Input type="number" min={1} value={days} onChange={(_, d) => setDays(d.value)} />
      </CheckedField>
      <CheckedField form={form} name="partnerId" label={t("field.partnerId")} hint={t("field.partnerIdHint")}>
        <Input value={partnerId} onChange={(_, d) => setPartnerId(d.value)} />
      </CheckedField>
      <FormMessages form={form} />
    </ActionDialog>
  );
}

function AssignDialog({
  voucher,
  onClose,
  onDone,
}: {
  voucher: VoucherView;
  onClose(): void;
  onDone(message: string): void;
}) {
  const { t, api, claims } = useSession();
  const [partnerId, setPartnerId] = useState(voucher.partnerId ?? "");
  const input = useMemo(() => ({ partnerId: partnerId.trim() || undefined }), [partnerId]);
  const context = useMemo(
    () => ({
      actor: { role: "customer_admin", customerId: claims.customerId ?? "" },
      voucher: storedVoucher(voucher),
    }),
    [claims.customerId, voucher],
  );
  const form = useCheckedForm(useAllRulesCheck<typeof input>("assignPartner", context), input);
  return (
    <ActionDialog
      open
      title={t("assign.title", { number: voucher.voucherNumber })}
      sendLabel={t("action.assign")}
      onClose={onClose}
      onSend={async () => {
        if (!form.submit()) return;
        const reply = await settle(
          api.PUT("/v1/vouchers/{voucherNumber}/assignment", {
            params: { path: { voucherNumber: voucher.voucherNumber } },
            body: input,
          }),
          t("problem.network"),
        );
        if (reply.ok) onDone(t("done.assign", { number: voucher.voucherNumber, partner: partnerId }));
        else form.refuse(reply.failure);
      }}
    >
      <CheckedField form={form} name="partnerId" label={t("field.partnerId")} required>
        <Input value={partnerId} onChange={(_, d) => setPartnerId(d.value)} />
      </CheckedField>
      <FormMessages form={form} />
    </ActionDialog>
  );
}
