namespace Mailsmith.Deliver;

/// <summary>The SMTP relay messages are handed to. Configuration section <c>Smtp</c>.</summary>
public sealed class SmtpOptions
{
    /// <summary>The relay as a URL, <c>smtp://[user[:password]@]host:port</c> (STARTTLS when offered) or <c>smtps://…</c>
    /// (TLS from the first byte); overrides <see cref="Host"/>, <see cref="Port"/>, <see cref="Security"/> and the credentials. Default none.</summary>
    public string? Url { get; init; }

    /// <summary>Relay host name or address. Default none (no relay configured).</summary>
    public string? Host { get; init; }

    /// <summary>Relay port. Default 25 (465 for <c>tls</c>).</summary>
    public int? Port { get; init; }

    /// <summary><c>auto</c> (STARTTLS when the relay offers it), <c>none</c>, <c>starttls</c> (required) or <c>tls</c> (implicit TLS). Default <c>auto</c>.</summary>
    public string Security { get; init; } = "auto";

    /// <summary>User name for SMTP AUTH. Default none (no authentication).</summary>
    public string? UserName { get; init; }

    /// <summary>Password for SMTP AUTH. Default none.</summary>
    public string? Password { get; init; }

    /// <summary>Connections kept open to the relay, each sending one message at a time. Default 8.</summary>
    public int Concurrency { get; init; } = 8;

    /// <summary>Messages per second to this relay, all connections together; 0 = no limit. Default 0.</summary>
    public double RatePerSecond { get; init; }

    /// <summary>Seconds one SMTP command may take before the attempt counts as a timeout. Default 30.</summary>
    public int TimeoutSeconds { get; init; } = 30;

    /// <summary>Messages sent on one connection before it is closed and a new one opened. Default 1000.</summary>
    public int MessagesPerConnection { get; init; } = 1000;

    /// <summary>Name given in EHLO. Default the machine's host name.</summary>
    public string? HeloName { get; init; }
}

/// <summary>DKIM signing of every message sent. Configuration section <c>Dkim</c>.</summary>
public sealed class DkimOptions
{
    /// <summary>PEM file with the private key (RSA, PKCS#1 or PKCS#8; or Ed25519 PKCS#8). Default none: messages are not signed.</summary>
    public string? KeyPath { get; init; }

    /// <summary>The selector: the public key is published at <c>&lt;selector&gt;._domainkey.&lt;domain&gt;</c>. Default <c>mailsmith</c>.</summary>
    public string Selector { get; init; } = "mailsmith";

    /// <summary>The signing domain (<c>d=</c>). Default the From address's domain.</summary>
    public string? Domain { get; init; }

    /// <summary><c>rsa-sha256</c> or <c>ed25519-sha256</c> (RFC 8463). Default from the key file's type.</summary>
    public string? Algorithm { get; init; }
}

/// <summary>When messages go, how failures are retried, when a campaign stops itself. Configuration section <c>Delivery</c>.</summary>
public sealed class DeliveryOptions
{
    /// <summary>Hours from a campaign's first send within which its messages are delivered. Default 24.</summary>
    public int WindowHours { get; init; } = 24;

    /// <summary>Local hour (0–23) for recipients without a best or active hour. Default 10.</summary>
    public int DefaultHour { get; init; } = 10;

    /// <summary>Local hour (0–23) quiet hours start: nothing is delivered from then until <see cref="QuietHoursEnd"/>. Default 21.</summary>
    public int QuietHoursStart { get; init; } = 21;

    /// <summary>Local hour (0–23) quiet hours end. Equal to <see cref="QuietHoursStart"/> turns quiet hours off. Default 8.</summary>
    public int QuietHoursEnd { get; init; } = 8;

    /// <summary>At most this many marketing emails per person within <see cref="FrequencyDays"/>; 0 = no cap. Default 3.</summary>
    public int FrequencyCap { get; init; } = 3;

    /// <summary>The frequency cap's window in days. Default 7.</summary>
    public int FrequencyDays { get; init; } = 7;

    /// <summary>Retries of a transient failure (4xx, timeout, dropped connection) before the message is deferred. Default 4.</summary>
    public int RetryAttempts { get; init; } = 4;

    /// <summary>First retry delay in milliseconds; it doubles per retry, with jitter. Default 500.</summary>
    public int RetryDelayMilliseconds { get; init; } = 500;

    /// <summary>Minutes a message deferred after its retries waits before the next send or scheduler run takes it again. Default 15.</summary>
    public int DeferMinutes { get; init; } = 15;

    /// <summary>The campaign pauses itself when this share of its last <see cref="PauseWindow"/> attempts failed (0–1; 0 = never). Default 0.2.</summary>
    public double PauseErrorRate { get; init; } = 0.2;

    /// <summary>Attempts the error rate is measured over (and the minimum before a pause). Default 100.</summary>
    public int PauseWindow { get; init; } = 100;

    /// <summary>Seconds between the scheduler's looks for due messages in <c>mailsmith serve</c>; 0 = no scheduler. Default 60.</summary>
    public int SchedulerIntervalSeconds { get; init; } = 60;

    /// <summary>Whether <c>mailsmith serve</c> runs the scheduler (it also needs a relay in <c>Smtp</c>). Default true.</summary>
    public bool SchedulerEnabled { get; init; } = true;
}
