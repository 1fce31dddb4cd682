import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { SessionProvider } from "./session";

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <FluentProvider theme={webLightTheme}>
        <SessionProvider>
          <App />
        </SessionProvider>
      </FluentProvider>
    </StrictMode>,
  );
}
