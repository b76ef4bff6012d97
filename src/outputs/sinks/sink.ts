/** Where one output's text goes: stdout, a file, a syslog receiver, a Splunk HEC. */
export interface OutputSink {
  /** Text of whole alerts (each format's lines or document pieces); never blocks the scan. */
  write(text: string): void;
  /** Called once per batch of alerts: bytes held may go now. */
  flush(): void;
  /** Writes what is left and waits, within the sink's deadline, for delivery. */
  close(): Promise<SinkReport>;
}

export interface SinkReport {
  /** Alerts that could not be delivered (a receiver down or too slow); 0 for files. */
  undelivered: number;
  /** Why, in a few words, when some were not delivered. */
  reason?: string;
}
