// The frame of every action's dialog: a title, the form, and Send / Close buttons. Sending keeps
// one Idempotency-Key for the dialog's life, so pressing Send again after a lost answer is
// replayed by the server instead of done twice.
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Spinner,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useRef, useState, type ReactNode } from "react";
import { newKey } from "../api/client";
import { useSession } from "../session";

const useStyles = makeStyles({
  content: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  surface: { maxWidth: "min(720px, 96vw)" },
});

export function ActionDialog({
  title,
  open,
  onClose,
  onSend,
  sendLabel,
  canSend = true,
  children,
}: {
  title: string;
  open: boolean;
  onClose(): void;
  /** Sends with the dialog's key; the dialog stays open until this resolves. */
  onSend(key: string): Promise<void>;
  sendLabel: string;
  canSend?: boolean;
  children: ReactNode;
}) {
  const styles = useStyles();
  const { t } = useSession();
  const key = useRef(newKey());
  const [sending, setSending] = useState(false);
  return (
    <Dialog open={open} onOpenChange={(_, data) => !data.open && onClose()}>
      <DialogSurface className={styles.surface}>
        <form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            setSending(true);
            void onSend(key.current).finally(() => setSending(false));
          }}
        >
          <DialogBody>
            <DialogTitle>{title}</DialogTitle>
            <DialogContent className={styles.content}>{children}</DialogContent>
            <DialogActions>
              <Button appearance="primary" type="submit" disabled={sending || !canSend}>
                {sending ? <Spinner size="tiny" /> : sendLabel}
              </Button>
              <Button appearance="secondary" onClick={onClose}>
                {t("action.close")}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
