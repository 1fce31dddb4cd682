// The partner's vouchers: where the work starts. Filters, search, paging; each row's buttons
// are the actions the API says the reader may take; ticked rows are redeemed or claimed together.
import {
  Button,
  Dropdown,
  Field,
  Input,
  Link,
  Option,
  SearchBox,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  TableSelectionCell,
  Text,
  Toolbar,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useMemo, useState } from "react";
import { checkValidationForm, type ValidationForm } from "saps-rules/web";
import { settle, type VoucherView } from "../api/client";
import { Done, Loaded, PageHeading, Section, StateBadge, useWideTable } from "../components";
import { ClaimDialog, RedeemDialog } from "../forms/BatchActions";
import { CheckedField, FormMessages, useCheckedForm } from "../forms/checked";
import { ActionsFor, type Action } from "../forms/VoucherButtons";
import { saveAs } from "../download";
import { daysBetween } from "../format";
import type { TextKey } from "../i18n";
import { useLoad } from "../load";
import { go, href } from "../routes";
import { useSession } from "../session";
import { allVouchers, expiringSoon } from "./voucherList";

const useStyles = makeStyles({
  filters: {
    display: "flex",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalM,
    alignItems: "end",
    marginBottom: tokens.spacingVerticalM,
  },
  soon: { color: tokens.colorPaletteDarkOrangeForeground1, fontWeight: tokens.fontWeightSemibold },
  pager: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalM,
    marginTop: tokens.spacingVerticalM,
  },
  open: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalM, alignItems: "start" },
  toolbar: { flexWrap: "wrap" },
});

const STATES = ["assigned", "reserved", "completed", "redeemed", "claimed", "paid", "expired"] as const;
const PAGE = 20;

/** A BOM first, so Excel reads the UTF-8 (Chinese names included) as UTF-8. */
const BOM = "\uFEFF";

export function Vouchers() {
  const styles = useStyles();
  const wide = useWideTable();
  const session = useSession();
  const { t, api, claims, today, programs, programName } = session;
  const partnerId = claims.partnerId ?? "";
  const [state, setState] = useState("");
  const [program, setProgram] = useState("");
  const [soonOnly, setSoonOnly] = useState(false);
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(0);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [batch, setBatch] = useState<"redeem" | "claim" | null>(null);
  const BatchDialog = batch === "claim" ? ClaimDialog : RedeemDialog;
  const [done, setDone] = useState("");
  const list = useLoad(
    () => allVouchers(api, partnerId, state || undefined, t("problem.network")),
    [api, partnerId, state],
  );

  const shown = useMemo(() => {
    const items = list.reply?.ok ? list.reply.data : [];
    const needle = search.trim().toUpperCase();
    return items.filter(
      (v) =>
        (!program || v.programId === program) &&
        (!soonOnly || expiringSoon(v, today)) &&
        (!needle || v.voucherNumber.includes(needle) || v.customerName.toUpperCase().includes(needle)),
    );
  }, [list.reply, program, soonOnly, search, today]);
  const pages = Math.max(1, Math.ceil(shown.length / PAGE));
  const current = Math.min(page, pages - 1);
  const rows = shown.slice(current * PAGE, current * PAGE + PAGE);
  const ticked = shown.filter((v) => selected.has(v.voucherNumber));
  const can = (action: Action) => ticked.length > 0 && ticked.every((v) => v.allowedActions.includes(action));
  const toggle = (number: string) =>
    setSelected((was) => {
      const next = new Set(was);
      if (next.has(number)) next.delete(number);
      else next.add(number);
      return next;
    });
  const allTicked = rows.length > 0 && rows.every((v) => selected.has(v.voucherNumber));

  const exportAs = async (format: "csv" | "xlsx") => {
    const { data } = await api.GET("/v1/partners/{partnerId}/vouchers", {
      params: { path: { partnerId }, query: { format, state: state || undefined } },
      parseAs: "blob",
    });
    if (!data) return;
    const name = `vouchers-${partnerId}-${today}.${format}`;
    if (format === "xlsx") return saveAs(name, data);
    const text = await data.text();
    saveAs(name, new Blob([text.startsWith(BOM) ? text : BOM + text], { type: "text/csv;charset=utf-8" }));
  };

  return (
    <>
      <PageHeading title={t("vouchers.title")} />
      <OpenVoucher />
      {done && <Done>{done}</Done>}
      <Section title={t("vouchers.list")}>
        <div className={styles.filters}>
          <Field label={t("filter.state")}>
            <Dropdown
              value={state ? t(`state.${state}` as TextKey) : t("filter.all")}
              selectedOptions={[state]}
              onOptionSelect={(_, d) => {
                setState(d.optionValue ?? "");
                setPage(0);
              }}
            >
              <Option value="">{t("filter.all")}</Option>
              {STATES.map((s) => (
                <Option key={s} value={s}>
                  {t(`state.${s}`)}
                </Option>
              ))}
            </Dropdown>
          </Field>
          <Field label={t("filter.program")}>
            <Dropdown
              value={program ? programName(program) : t("filter.all")}
              selectedOptions={[program]}
              onOptionSelect={(_, d) => {
                setProgram(d.optionValue ?? "");
                setPage(0);
              }}
            >
              <Option value="">{t("filter.all")}</Option>
              {programs.map((p) => (
                <Option key={p.id} value={p.id}>
                  {programName(p.id)}
                </Option>
              ))}
            </Dropdown>
          </Field>
          <Switch
            label={t("filter.expiringSoon")}
            checked={soonOnly}
            onChange={(_, d) => {
              setSoonOnly(d.checked);
              setPage(0);
            }}
          />
          <Field label={t("filter.search")}>
            <SearchBox
              value={search}
              onChange={(_, d) => {
                setSearch(d.value);
                setPage(0);
              }}
            />
          </Field>
        </div>
        <Toolbar aria-label={t("vouchers.batch")} className={styles.toolbar}>
          <Button appearance="primary" disabled={!can("redeem")} onClick={() => setBatch("redeem")}>
            {t("action.redeemSelected")}
          </Button>
          <Button disabled={!can("createClaim")} onClick={() => setBatch("claim")}>
            {t("action.claimSelected")}
          </Button>
          <Button onClick={() => void exportAs("csv")}>{t("action.exportCsv")}</Button>
          <Button onClick={() => void exportAs("xlsx")}>{t("action.exportXlsx")}</Button>
          <Button onClick={list.reload}>{t("action.refresh")}</Button>
        </Toolbar>
        <Loaded reply={list.reply}>
          {() =>
            shown.length === 0 ? (
              <Text>{t("vouchers.none")}</Text>
            ) : (
              <>
                <Table aria-label={t("vouchers.list")} className={wide}>
                  <TableHeader>
                    <TableRow>
                      <TableSelectionCell
                        type="checkbox"
                        checked={allTicked}
                        checkboxIndicator={{ "aria-label": t("vouchers.tickPage") }}
                        onClick={() =>
                          setSelected((was) => {
                            const next = new Set(was);
                            rows.forEach((v) =>
                              allTicked ? next.delete(v.voucherNumber) : next.add(v.voucherNumber),
                            );
                            return next;
                          })
                        }
                      />
                      <TableHeaderCell>{t("column.voucher")}</TableHeaderCell>
                      <TableHeaderCell>{t("column.program")}</TableHeaderCell>
                      <TableHeaderCell>{t("column.customer")}</TableHeaderCell>
                      <TableHeaderCell>{t("column.days")}</TableHeaderCell>
                      <TableHeaderCell>{t("column.state")}</TableHeaderCell>
                      <TableHeaderCell>{t("column.expires")}</TableHeaderCell>
                      <TableHeaderCell>{t("column.actions")}</TableHeaderCell>
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {rows.map((v) => (
                      <VoucherRow
                        key={v.voucherNumber}
                        voucher={v}
                        ticked={selected.has(v.voucherNumber)}
                        onTick={() => toggle(v.voucherNumber)}
                        onChanged={(message) => {
                          setDone(message);
                          list.reload();
                        }}
                        soonClass={styles.soon}
                      />
                    ))}
                  </TableBody>
                </Table>
                <div className={styles.pager}>
                  <Button disabled={current === 0} onClick={() => setPage(current - 1)}>
                    {t("action.previous")}
                  </Button>
                  <Text>{t("vouchers.page", { page: current + 1, pages, count: shown.length })}</Text>
                  <Button disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
                    {t("action.next")}
                  </Button>
                </div>
              </>
            )
          }
        </Loaded>
      </Section>
      {batch && (
        <BatchDialog
          voucherNumbers={ticked.map((v) => v.voucherNumber)}
          onClose={() => setBatch(null)}
          onDone={(message) => {
            setBatch(null);
            setSelected(new Set());
            setDone(message);
            list.reload();
          }}
        />
      )}
    </>
  );
}

function VoucherRow({
  voucher,
  ticked,
  onTick,
  onChanged,
  soonClass,
}: {
  voucher: VoucherView;
  ticked: boolean;
  onTick(): void;
  onChanged(message: string): void;
  soonClass: string;
}) {
  const { t, today, programName } = useSession();
  const soon = expiringSoon(voucher, today);
  return (
    <TableRow aria-selected={ticked}>
      <TableSelectionCell
        type="checkbox"
        checked={ticked}
        onClick={onTick}
        checkboxIndicator={{ "aria-label": t("vouchers.tick", { number: voucher.voucherNumber }) }}
      />
      <TableCell>
        <Link href={href("voucher", voucher.voucherNumber)}>{voucher.voucherNumber}</Link>
      </TableCell>
      <TableCell>{programName(voucher.programId)}</TableCell>
      <TableCell>{voucher.customerName}</TableCell>
      <TableCell>{voucher.days}</TableCell>
      <TableCell>
        <StateBadge state={voucher.effectiveState} />
      </TableCell>
      <TableCell>
        <span className={soon ? soonClass : undefined}>
          {voucher.expiresOn}
          {soon && ` · ${t("vouchers.daysLeft", { days: daysBetween(today, voucher.expiresOn) })}`}
        </span>
      </TableCell>
      <TableCell>
        <ActionsFor voucher={voucher} onChanged={(_, message) => onChanged(message)} />
      </TableCell>
    </TableRow>
  );
}

/** The forwarded-email case: a voucher number and the customer's admin email open the voucher. */
function OpenVoucher() {
  const styles = useStyles();
  const { t, api } = useSession();
  const [number, setNumber] = useState("");
  const [email, setEmail] = useState("");
  const input = useMemo<ValidationForm>(
    () => ({ voucherNumber: number.trim() || undefined, adminEmail: email.trim() || undefined }),
    [number, email],
  );
  const form = useCheckedForm(checkValidationForm, input);
  return (
    <Section title={t("open.title")}>
      <Text block>{t("open.explain")}</Text>
      <form
        noValidate
        className={styles.open}
        onSubmit={(event) => {
          event.preventDefault();
          if (!form.submit()) return;
          void settle(api.POST("/v1/vouchers/validate", { body: input }), t("problem.network")).then(
            (reply) => {
              if (reply.ok) go("voucher", reply.data.voucherNumber);
              else form.refuse(reply.failure);
            },
          );
        }}
      >
        <CheckedField form={form} name="voucherNumber" label={t("field.voucherNumber")} required>
          <Input value={number} onChange={(_, d) => setNumber(d.value)} />
        </CheckedField>
        <CheckedField form={form} name="adminEmail" label={t("field.adminEmail")} required>
          <Input type="email" value={email} onChange={(_, d) => setEmail(d.value)} />
        </CheckedField>
        <Button appearance="primary" type="submit" style={{ marginTop: tokens.spacingVerticalXXL }}>
          {t("action.open")}
        </Button>
      </form>
      <FormMessages form={form} />
    </Section>
  );
}
