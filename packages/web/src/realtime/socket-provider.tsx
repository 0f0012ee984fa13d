import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { io, type Socket } from "socket.io-client";

export type SocketStatus = "off" | "connecting" | "connected" | "disconnected";

interface SocketState {
  socket: Socket | null;
  status: SocketStatus;
  /** Why the last connection attempt was refused (pending account, bad token…), if it was. */
  error: string | null;
}

const SocketContext = createContext<SocketState>({ socket: null, status: "off", error: null });

/**
 * One socket.io connection per signed-in tab, at `/ws/socket.io`, authenticated with the JWT.
 * Its id is the `session_id` chat requests send, so plugins' `ctx.call` reach this tab.
 * Without a token (or for a pending account) there is no socket.
 */
export function SocketProvider({ token, children }: { token: string | null; children: ReactNode }) {
  const [state, setState] = useState<SocketState>({ socket: null, status: "off", error: null });
  const current = useRef<Socket | null>(null);

  useEffect(() => {
    if (!token) {
      setState({ socket: null, status: "off", error: null });
      return;
    }
    const socket = io({ path: "/ws/socket.io", auth: { token }, transports: ["websocket"], reconnectionDelayMax: 5000 });
    current.current = socket;
    setState({ socket, status: "connecting", error: null });
    const update = (status: SocketStatus, error: string | null = null) => {
      if (current.current === socket) setState({ socket, status, error });
    };
    socket.on("connect", () => update("connected"));
    socket.on("disconnect", () => update("disconnected"));
    socket.on("connect_error", (error) => update("disconnected", error.message));
    return () => {
      current.current = null;
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [token]);

  return <SocketContext.Provider value={state}>{children}</SocketContext.Provider>;
}

/** The tab's socket (null before sign-in) and its status. */
export function useSocket(): SocketState {
  return useContext(SocketContext);
}

/**
 * Listens to a socket channel while mounted; the handler may change between renders.
 * A handler receiving an acknowledgement callback as its second argument may answer a call.
 *
 * @example
 * useSocketEvent("events", (envelope, acknowledge) => { … });
 */
export function useSocketEvent(channel: string, handler: (payload: any, acknowledge?: (answer: unknown) => void) => void): void {
  const { socket } = useSocket();
  const handlerRef = useRef(handler);
  handlerRef.current = handler;
  useEffect(() => {
    if (!socket) return;
    const listener = (payload: unknown, acknowledge?: (answer: unknown) => void) => handlerRef.current(payload, acknowledge);
    socket.on(channel, listener);
    return () => {
      socket.off(channel, listener);
    };
  }, [socket, channel]);
}
