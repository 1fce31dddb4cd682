// The voucher tool's forms, one dialog each: reserve, cancel the reservation, report completion.
// Each is checked by saps-rules as it is typed and sent to its route once it passes.
import {
  Button,
  Checkbox,
  Dropdown,
  Input,
  Option,
  Text,
  Textarea,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useMemo, useRef, useState } from "react";
import {
  checkCancellationForm,
  checkCompletionReportForm,
  checkReservationForm,
  type CancellationForm,
  type CompletionReportForm,
  type ReservationForm,
} from "saps-rules/web";
import { settle, type Schemas, type VoucherView } from "../api/client";

type Location = Schemas["Location"];
import { addDays, fileSize } from "../format";
import { useLoad } from "../load";
import { useSession } from "../session";
import { ActionDialog } from "./dialog";
import { CheckedField, FormMessages, useCheckedForm } from "./checked";

const useStyles = makeStyles({
  row: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalM, "& > *": { flexGrow: 1 } },
  files: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
});

export interface VoucherDialogProps {
  voucher: VoucherView;
  onClose(): void;
  /** The voucher as the server answered the action. */
  onDone(voucher: VoucherView): void;
}

const blank = (value: string) => (value.trim() === "" ? undefined : value);

/** The partner's approved locations (`GET /v1/partners/{partnerId}`), or none while loading. */
export function usePartnerLocations(partnerId: string | undefined): Location[] {
  const { api } = useSession();
  const { reply } = useLoad(
    () =>
      settle(api.GET("/v1/partners/{partnerId}", { params: { path: { partnerId: partnerId ?? "" } } }), ""),
    [api, partnerId],
  );
  return reply?.ok ? reply.data.locations : [];
}

/** How a location reads in a list: its id, name and country. */
export function locationLabel(location: Location): string {
  return `${location.locationId} · ${location.name} (${location.country})`;
}

/** The locations a voucher can be delivered under: those enrolled in its program. */
function useProgramLocations(partnerId: string | undefined, programId: string): Location[] {
  const { api } = useSession();
  const approved = usePartnerLocations(partnerId);
  const { reply } = useLoad(
    () =>
      settle(
        api.GET("/v1/partners/{partnerId}/enrollments", { params: { path: { partnerId: partnerId ?? "" } } }),
        "",
      ),
    [api, partnerId],
  );
  if (!reply?.ok) return [];
  const enrolled = new Set(reply.data.filter((e) => e.programId === programId).flatMap((e) => e.locationIds));
  return approved.filter((location) => enrolled.has(location.locationId));
}

export function ReserveDialog({ voucher, onClose, onDone }: VoucherDialogProps) {
  const styles = useStyles();
  const { t, today, api, claims } = useSession();
  const locations = useProgramLocations(voucher.partnerId ?? claims.partnerId, voucher.programId);
  const [adminEmail, setAdminEmail] = useState(voucher.adminEmail);
  const [start, setStart] = useState(today);
  const [end, setEnd] = useState(addDays(today, Math.max(voucher.days - 1, 0)));
  const [locationId, setLocationId] = useState("");
  const [division, setDivision] = useState("");
  const [accepted, setAccepted] = useState(false);
  const input = useMemo<ReservationForm>(
    () => ({
      adminEmail,
      engagementStart: start,
      engagementEnd: end,
      locationId: blank(locationId),
      customerDivision: blank(division),
      acceptTerms: accepted,
    }),
    [adminEmail, start, end, locationId, division, accepted],
  );
  const form = useCheckedForm(checkReservationForm, input);
  return (
    <ActionDialog
      open
      title={t("reserve.title", { number: voucher.voucherNumber })}
      sendLabel={t("action.reserve")}
      onClose={onClose}
      onSend={async (key) => {
        if (!form.submit()) return;
        const reply = await settle(
          api.POST("/v1/vouchers/{voucherNumber}/reservation", {
            params: { path: { voucherNumber: voucher.voucherNumber }, header: { "Idempotency-Key": key } },
            body: input,
          }),
          t("problem.network"),
        );
        if (reply.ok) onDone(reply.data);
        else form.refuse(reply.failure);
      }}
    >
      <CheckedField form={form} name="adminEmail" label={t("field.adminEmail")} required>
        <Input type="email" value={adminEmail} onChange={(_, d) => setAdminEmail(d.value)} />
      </CheckedField>
      <div className={styles.row}>
        <CheckedField form={form} name="engagementStart" label={t("field.engagementStart")} required>
          <Input type="date" value={start} onChange={(_, d) => setStart(d.value)} />
        </CheckedField>
        <CheckedField form={form} name="engagementEnd" label={t("field.engagementEnd")} required>
          <Input type="date" value={end} onChange={(_, d) => setEnd(d.value)} />
        </CheckedField>
      </div>
      <CheckedField form={form} name="locationId" label={t("field.location")} required>
        <Dropdown
          placeholder={t("field.choose")}
          value={locations.find((l) => l.locationId === locationId)?.name ?? locationId}
          selectedOptions={[locationId]}
          onOptionSelect={(_, d) => setLocationId(d.optionValue ?? "")}
        >
          {locations.map((location) => (
            <Option key={location.locationId} value={location.locationId}>
              {locationLabel(location)}
            </Option>
          ))}
        </Dropdown>
      </CheckedField>
      <CheckedField
        form={form}
        name="customerDivision"
        label={t("field.customerDivision")}
        hint={t("field.customerDivisionHint")}
      >
        <Input value={division} onChange={(_, d) => setDivision(d.value)} />
      </CheckedField>
      <CheckedField form={form} name="acceptTerms">
        <Checkbox
          checked={accepted}
          label={t("field.acceptTerms")}
          onChange={(_, d) => setAccepted(d.checked === true)}
        />
      </CheckedField>
      <FormMessages form={form} />
    </ActionDialog>
  );
}

const REASONS = ["offerChanged", "engagementCancelled", "customerChoseAnotherPartner"] as const;

export function CancelDialog({ voucher, onClose, onDone }: VoucherDialogProps) {
  const { t, api } = useSession();
  const [reason, setReason] = useState("");
  const input = useMemo<CancellationForm>(() => ({ reason: blank(reason) }), [reason]);
  const form = useCheckedForm(checkCancellationForm, input);
  return (
    <ActionDialog
      open
      title={t("cancel.title", { number: voucher.voucherNumber })}
      sendLabel={t("action.cancelReservation")}
      onClose={onClose}
      onSend={async () => {
        if (!form.submit()) return;
        const reply = await settle(
          api.DELETE("/v1/vouchers/{voucherNumber}/reservation", {
            params: { path: { voucherNumber: voucher.voucherNumber } },
            body: input,
          }),
          t("problem.network"),
        );
        if (reply.ok) onDone(reply.data);
        else form.refuse(reply.failure);
      }}
    >
      <Text>{t("cancel.explain")}</Text>
      <CheckedField form={form} name="reason" label={t("field.reason")} required>
        <Dropdown
          placeholder={t("field.choose")}
          value={reason ? t(`reason.${reason}` as "reason.offerChanged") : ""}
          selectedOptions={[reason]}
          onOptionSelect={(_, d) => setReason(d.optionValue ?? "")}
        >
          {REASONS.map((r) => (
            <Option key={r} value={r}>
              {t(`reason.${r}`)}
            </Option>
          ))}
        </Dropdown>
      </CheckedField>
      <FormMessages form={form} />
    </ActionDialog>
  );
}

interface PickedFile {
  file: File;
  sha256: string;
}

async function sha256Of(file: File): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

export function CompleteDialog({ voucher, onClose, onDone }: VoucherDialogProps) {
  const styles = useStyles();
  const { t, api, locale } = useSession();
  const reservation = voucher.reservation;
  const [start, setStart] = useState(reservation?.engagementStart ?? "");
  const [end, setEnd] = useState(reservation?.engagementEnd ?? "");
  const [days, setDays] = useState(String(voucher.days));
  const [consultant, setConsultant] = useState("");
  const [summary, setSummary] = useState("");
  const [files, setFiles] = useState<PickedFile[]>([]);
  const picker = useRef<HTMLInputElement>(null);
  const input = useMemo<CompletionReportForm>(
    () => ({
      deliveredStart: start,
      deliveredEnd: end,
      daysDelivered: /^\d+$/.test(days) ? Number(days) : undefined,
      leadConsultantId: blank(consultant),
      summary: blank(summary),
      deliverables: files.map(({ file, sha256 }) => ({
        fileName: file.name,
        mediaType: file.type,
        size: file.size,
        sha256,
      })),
    }),
    [start, end, days, consultant, summary, files],
  );
  const form = useCheckedForm(checkCompletionReportForm, input);
  return (
    <ActionDialog
      open
      title={t("complete.title", { number: voucher.voucherNumber })}
      sendLabel={t("action.submitCompletionReport")}
      onClose={onClose}
      onSend={async () => {
        if (!form.submit()) return;
        for (const { file } of files) {
          const uploaded = await settle(
            api.PUT("/v1/vouchers/{voucherNumber}/deliverables/{fileName}", {
              params: { path: { voucherNumber: voucher.voucherNumber, fileName: file.name } },
              body: file as never,
              bodySerializer: (body: unknown) => body as Blob,
              headers: { "content-type": file.type || "application/octet-stream" },
            }),
            t("problem.network"),
          );
          if (!uploaded.ok) return form.refuse(uploaded.failure);
        }
        const reply = await settle(
          api.POST("/v1/vouchers/{voucherNumber}/completion-report", {
            params: { path: { voucherNumber: voucher.voucherNumber } },
            body: input,
          }),
          t("problem.network"),
        );
        if (reply.ok) onDone(reply.data);
        else form.refuse(reply.failure);
      }}
    >
      <div className={styles.row}>
        <CheckedField form={form} name="deliveredStart" label={t("field.deliveredStart")} required>
          <Input type="date" value={start} onChange={(_, d) => setStart(d.value)} />
        </CheckedField>
        <CheckedField form={form} name="deliveredEnd" label={t("field.deliveredEnd")} required>
          <Input type="date" value={end} onChange={(_, d) => setEnd(d.value)} />
        </CheckedField>
      </div>
      <div className={styles.row}>
        <CheckedField form={form} name="daysDelivered" label={t("field.daysDelivered")} required>
          <Input type="number" min={1} value={days} onChange={(_, d) => setDays(d.value)} />
        </CheckedField>
        <CheckedField form={form} name="leadConsultantId" label={t("field.leadConsultant")} required>
          <Input value={consultant} onChange={(_, d) => setConsultant(d.value)} />
        </CheckedField>
      </div>
      <CheckedField
        form={form}
        name="summary"
        label={t("field.summary")}
        hint={t("field.summaryHint")}
        required
      >
        <Textarea resize="vertical" value={summary} onChange={(_, d) => setSummary(d.value)} />
      </CheckedField>
      <CheckedField
        form={form}
        name="deliverables"
        label={t("field.deliverables")}
        hint={t("field.deliverablesHint")}
      >
        <div>
          <input
            ref={picker}
            type="file"
            multiple
            hidden
            aria-label={t("field.deliverables")}
            accept=".pdf,.docx,.pptx,.xlsx,.zip"
            onChange={(event) => {
              const chosen = Array.from(event.target.files ?? []);
              event.target.value = "";
              void Promise.all(chosen.map(async (file) => ({ file, sha256: await sha256Of(file) }))).then(
                (picked) =>
                  setFiles((was) => [
                    ...was.filter((f) => !picked.some((p) => p.file.name === f.file.name)),
                    ...picked,
                  ]),
              );
            }}
          />
          <Button onClick={() => picker.current?.click()}>{t("action.addFiles")}</Button>
          <ul className={styles.files}>
            {files.map(({ file }) => (
              <li key={file.name}>
                {file.name} ({fileSize(file.size, locale)}){" "}
                <Button
                  size="small"
                  appearance="subtle"
                  aria-label={t("action.removeFile", { name: file.name })}
                  onClick={() => setFiles((was) => was.filter((f) => f.file !== file))}
                >
                  {t("action.remove")}
                </Button>
              </li>
            ))}
          </ul>
        </div>
      </CheckedField>
      <FormMessages form={form} />
    </ActionDialog>
  );
}
