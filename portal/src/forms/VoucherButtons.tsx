// A voucher's buttons: exactly the actions the API's `allowedActions` offers the reader.
import { Button, makeStyles, tokens } from "@fluentui/react-components";
import { useState } from "react";
import type { EventKind, VoucherView } from "../api/client";
import type { TextKey } from "../i18n";
import { useSession } from "../session";
import { ClaimDialog, RedeemDialog } from "./BatchActions";
import { CancelDialog, CompleteDialog, ReserveDialog } from "./VoucherActions";

export type Action = Extract<
  EventKind,
  "reserve" | "cancelReservation" | "submitCompletionReport" | "redeem" | "createClaim"
>;

/** In the order a voucher's life takes them. */
const ACTIONS: Action[] = ["reserve", "cancelReservation", "submitCompletionReport", "redeem", "createClaim"];

const useStyles = makeStyles({
  buttons: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS },
});

export function ActionsFor({
  voucher,
  onChanged,
}: {
  voucher: VoucherView;
  /** After an action: the voucher as answered (when one voucher came back) and what to say. */
  onChanged(voucher: VoucherView | null, message: string): void;
}) {
  const styles = useStyles();
  const { t } = useSession();
  const [open, setOpen] = useState<Action | null>(null);
  const offered = ACTIONS.filter((action) => voucher.allowedActions.includes(action));
  const close = () => setOpen(null);
  const finish = (changed: VoucherView | null, message: string) => {
    setOpen(null);
    onChanged(changed, message);
  };
  const done = (action: Action) => (changed: VoucherView) =>
    finish(changed, t(`done.${action}` as TextKey, { number: voucher.voucherNumber }));
  const numbers = [voucher.voucherNumber];
  return (
    <div className={styles.buttons}>
      {offered.map((action) => (
        <Button
          key={action}
          size="small"
          appearance={action === offered[0] ? "primary" : "secondary"}
          aria-label={`${t(`action.${action}` as TextKey)} ${voucher.voucherNumber}`}
          onClick={() => setOpen(action)}
        >
          {t(`action.${action}` as TextKey)}
        </Button>
      ))}
      {open === "reserve" && <ReserveDialog voucher={voucher} onClose={close} onDone={done("reserve")} />}
      {open === "cancelReservation" && (
        <CancelDialog voucher={voucher} onClose={close} onDone={done("cancelReservation")} />
      )}
      {open === "submitCompletionReport" && (
        <CompleteDialog voucher={voucher} onClose={close} onDone={done("submitCompletionReport")} />
      )}
      {open === "redeem" && (
        <RedeemDialog voucherNumbers={numbers} onClose={close} onDone={(m) => finish(null, m)} />
      )}
      {open === "createClaim" && (
        <ClaimDialog voucherNumbers={numbers} onClose={close} onDone={(m) => finish(null, m)} />
      )}
    </div>
  );
}
