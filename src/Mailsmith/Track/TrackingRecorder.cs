using System.Text.Json;
using System.Threading.Channels;
using Mailsmith.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SQLitePCL;

namespace Mailsmith.Track;

/// <summary>
/// Stores tracking events with group commit: concurrent requests hand their events to one writer, which commits
/// whatever has queued up in one transaction and then answers every request of the batch. When the database cannot
/// take a batch (locked past <see cref="ServerOptions.CommitTimeoutSeconds"/>, unavailable, disk error) the
/// batch goes to a local spool file, flushed to disk, and is retried every <see cref="ServerOptions.SpoolRetrySeconds"/>.
/// </summary>
/// <remarks>
/// <para>Contract: when <see cref="RecordAsync"/> completes with <see cref="RecordOutcome.Recorded"/> the event is
/// committed (and, with <see cref="ServerOptions.DurableCommits"/>, on disk); with <see cref="RecordOutcome.Spooled"/>
/// it is in the spool on disk and will be stored by this or the next process that runs a recorder on the same spool.
/// Replays are idempotent (each event carries its own key). A valid token whose send is not in this database records
/// nothing.</para>
/// <para>While the database is failing, batches go straight to the spool for one retry period rather than each
/// waiting for the lock timeout, so readers are answered at once. One writer per process; thread-safe for callers.</para>
/// </remarks>
public sealed partial class TrackingRecorder : IAsyncDisposable
{
    private static readonly JsonSerializerOptions SpoolJson = new(JsonSerializerDefaults.Web);

    private readonly MailsmithStore _store;
    private readonly ServerOptions _options;
    private readonly TrackOptions _track;
    private readonly string _spoolDirectory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private readonly ITimer _retryTimer;
    private SqliteConnection? _connection;
    private Commands? _commands;
    private DateTimeOffset _degradedUntil = DateTimeOffset.MinValue;
    private long _recorded;
    private long _spooled;
    private long _lost;
    private long _batches;
    private int _spoolSequence;
    private long _walPages;
    private readonly WalCheckpointer _checkpointer;

    /// <summary>
    /// WAL pages written by the writer after which the WAL is checkpointed: SQLite's own automatic threshold, but run
    /// by <see cref="WalCheckpointer"/> on its own thread instead of inside the COMMIT of a batch (docs/benchmarks.md).
    /// </summary>
    internal const int CheckpointPages = 1000;

    public TrackingRecorder(MailsmithStore store, ServerOptions options, TrackOptions track, string spoolDirectory, ILogger? logger = null, TimeProvider? time = null)
    {
        _store = store;
        _options = options;
        _track = track;
        _spoolDirectory = spoolDirectory;
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        Directory.CreateDirectory(_spoolDirectory);
        _checkpointer = new WalCheckpointer(store, _logger);
        _writer = Task.Factory.StartNew(WriteLoopAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        var period = TimeSpan.FromSeconds(Math.Max(0.05, options.SpoolRetrySeconds));
        // A retry tick goes through the queue, so the spool is only ever touched by the writer.
        _retryTimer = _time.CreateTimer(_ => _queue.Writer.TryWrite(Pending.RetryTick), null, period, period);
        _queue.Writer.TryWrite(Pending.RetryTick);
    }

    /// <summary>Events committed to the database (directly or from the spool).</summary>
    public long Recorded => Interlocked.Read(ref _recorded);

    /// <summary>Events written to the spool because the database could not take them.</summary>
    public long Spooled => Interlocked.Read(ref _spooled);

    /// <summary>Events that neither the database nor the spool could take.</summary>
    public long Lost => Interlocked.Read(ref _lost);

    /// <summary>Transactions committed; <see cref="Recorded"/> / <see cref="Batches"/> is the mean group size.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>WAL checkpoints run (in the background, and the writer's catch-ups) for the pages this writer wrote.</summary>
    public long Checkpoints => _checkpointer.Checkpoints;

    /// <summary>Spool files not yet replayed.</summary>
    public int PendingSpoolFiles => Directory.Exists(_spoolDirectory) ? Directory.GetFiles(_spoolDirectory, "*.jsonl").Length : 0;

    /// <summary>Queues <paramref name="e"/> and completes when it is committed or spooled.</summary>
    public Task<RecordOutcome> RecordAsync(TrackingEvent e)
    {
        var pending = new Pending(e);
        if (!_queue.Writer.TryWrite(pending))
        {
            // Shutting down: the writer is gone, so the spool is written here (the writer no longer touches it).
            return Task.FromResult(SpoolOrLose([e]));
        }
        return pending.Completion.Task;
    }

    /// <summary>Retries the spool now (instead of at the next retry tick) and completes when that attempt is done.</summary>
    public Task RetrySpoolAsync()
    {
        var tick = new Pending(null);
        _degradedUntil = DateTimeOffset.MinValue;
        return _queue.Writer.TryWrite(tick) ? tick.Completion.Task : Task.CompletedTask;
    }

    /// <summary>Stops taking events, stores (or spools) everything queued, and closes the database connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _retryTimer.DisposeAsync();
        _queue.Writer.TryComplete();
        await _writer;
        CloseConnection();
        _checkpointer.Dispose();
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(_options.CommitBatchSize);
        var events = new List<TrackingEvent>(_options.CommitBatchSize);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            var retry = false;
            while (batch.Count < _options.CommitBatchSize && reader.TryRead(out var item))
            {
                if (item.Event is null)
                {
                    retry = true;
                    if (!ReferenceEquals(item, Pending.RetryTick))
                    {
                        batch.Add(item);
                    }
                    continue;
                }
                batch.Add(item);
            }
            events.Clear();
            events.AddRange(batch.Where(p => p.Event is not null).Select(p => p.Event!));
            if (events.Count > 0)
            {
                var outcome = _time.GetUtcNow() < _degradedUntil ? SpoolOrLose(events) : CommitOrSpool(events);
                foreach (var p in batch)
                {
                    if (p.Event is not null)
                    {
                        p.Completion.TrySetResult(outcome);
                    }
                }
            }
            if (retry)
            {
                ReplaySpool();
                foreach (var p in batch.Where(p => p.Event is null))
                {
                    p.Completion.TrySetResult(RecordOutcome.Recorded);
                }
            }
            // Only now, with the batch answered: a catch-up checkpoint delays only the requests that arrive while it runs.
            CheckpointIfDue();
        }
    }

    /// <summary>
    /// Asks the <see cref="WalCheckpointer"/> for a checkpoint once the writer has written <see cref="CheckpointPages"/>
    /// pages to the WAL since the last request, and runs the checkpointer's catch-up when it asks for one. SQLite's
    /// automatic checkpoint is off on this connection: it would run inside the COMMIT of the batch that crossed the
    /// threshold, and every request of that batch would wait for it.
    /// </summary>
    private void CheckpointIfDue()
    {
        if (_connection?.Handle is not { } db)
        {
            return;
        }
        if (_checkpointer.TakeCatchUp())
        {
            _checkpointer.CatchUp(db);
        }
        if (raw.sqlite3_db_status(db, raw.SQLITE_DBSTATUS_CACHE_WRITE, out var written, out _, 1) == raw.SQLITE_OK)
        {
            _walPages += written;
        }
        if (_walPages < CheckpointPages)
        {
            return;
        }
        _walPages = 0;
        _checkpointer.Request();
    }

    private RecordOutcome CommitOrSpool(List<TrackingEvent> events)
    {
        try
        {
            Commit(events);
            Interlocked.Add(ref _recorded, events.Count);
            return RecordOutcome.Recorded;
        }
        catch (Exception e) when (e is SqliteException or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            LogCommitFailed(_logger, events.Count, e.Message);
            CloseConnection();
            _degradedUntil = _time.GetUtcNow().AddSeconds(_options.SpoolRetrySeconds);
            return SpoolOrLose(events);
        }
    }

    private void Commit(IReadOnlyList<TrackingEvent> events, bool replay = false)
    {
        var commands = OpenCommands();
        using var transaction = _connection!.BeginTransaction(deferred: false);
        commands.Bind(transaction);
        // Opens and clicks go to the engagement writer in runs (many rows per statement); the rare unsubscribes and
        // preference changes keep their place in the order between the runs.
        var run = commands.Run;
        run.Clear();
        foreach (var e in events)
        {
            if (e.Kind is TrackingEventKind.Open or TrackingEventKind.Click)
            {
                run.Add(e);
                continue;
            }
            commands.Engagements.Insert(run, replay);
            run.Clear();
            commands.Execute(e, replay);
        }
        commands.Engagements.Insert(run, replay);
        run.Clear();
        transaction.Commit();
        Interlocked.Increment(ref _batches);
    }

    private Commands OpenCommands()
    {
        if (_commands is not null)
        {
            return _commands;
        }
        var timeout = Math.Max(1, _options.CommitTimeoutSeconds);
        _connection = _store.OpenConnection();
        // Both limits: SQLite's busy handler, and the driver's own retry loop on a busy database (DefaultTimeout).
        _connection.DefaultTimeout = timeout;
        MailsmithStore.Execute(_connection,
            $"PRAGMA busy_timeout = {timeout * 1000}; PRAGMA synchronous = {(_options.DurableCommits ? "FULL" : "NORMAL")}; PRAGMA wal_autocheckpoint = 0;");
        _walPages = 0;
        _commands = new Commands(_store, _connection, (long)(_track.MachineAfterDeliverySeconds * 1000));
        return _commands;
    }

    private void CloseConnection()
    {
        _commands?.Dispose();
        _commands = null;
        _connection?.Dispose();
        _connection = null;
    }

    private RecordOutcome SpoolOrLose(List<TrackingEvent> events)
    {
        try
        {
            var name = $"spool-{_time.GetUtcNow():yyyyMMddTHHmmssfff}-{Environment.ProcessId}-{Interlocked.Increment(ref _spoolSequence):D6}.jsonl";
            var path = Path.Combine(_spoolDirectory, name);
            using (var stream = new FileStream(path + ".part", FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                foreach (var e in events)
                {
                    JsonSerializer.Serialize(stream, e, SpoolJson);
                    stream.WriteByte((byte)'\n');
                }
                stream.Flush(flushToDisk: true);
            }
            // The rename makes the file visible to replays only once it is complete.
            File.Move(path + ".part", path);
            Interlocked.Add(ref _spooled, events.Count);
            LogSpooled(_logger, events.Count, path);
            return RecordOutcome.Spooled;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            Interlocked.Add(ref _lost, events.Count);
            LogLost(_logger, events.Count, e.Message);
            return RecordOutcome.Lost;
        }
    }

    private void ReplaySpool()
    {
        string[] files;
        try
        {
            files = Directory.GetFiles(_spoolDirectory, "*.jsonl");
        }
        catch (IOException)
        {
            return;
        }
        Array.Sort(files, StringComparer.Ordinal);
        foreach (var file in files)
        {
            List<TrackingEvent> events;
            try
            {
                events = File.ReadAllLines(file).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<TrackingEvent>(l, SpoolJson)!).ToList();
            }
            catch (JsonException e)
            {
                // Never delete what cannot be read: set it aside for a person to look at.
                LogBadSpool(_logger, file, e.Message);
                File.Move(file, file + ".bad", overwrite: true);
                continue;
            }
            catch (IOException)
            {
                return;
            }
            try
            {
                Commit(events, replay: true);
            }
            catch (Exception e) when (e is SqliteException or IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                LogCommitFailed(_logger, events.Count, e.Message);
                CloseConnection();
                _degradedUntil = _time.GetUtcNow().AddSeconds(_options.SpoolRetrySeconds);
                return;
            }
            File.Delete(file);
            Interlocked.Add(ref _recorded, events.Count);
            LogReplayed(_logger, events.Count, file);
        }
        _degradedUntil = DateTimeOffset.MinValue;
    }

    private sealed class Pending(TrackingEvent? e)
    {
        public static readonly Pending RetryTick = new(null);

        public TrackingEvent? Event { get; } = e;

        public TaskCompletionSource<RecordOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The writer's prepared statements, bound to its one connection.</summary>
    private sealed class Commands : IDisposable
    {
        private readonly SqliteCommand _unsubscribe;
        private readonly SqliteCommand _markUnsubscribed;
        private readonly SqliteCommand _preferences;
        private readonly SqliteParameter _uAt, _uUserAgent, _uEventKey, _uClient, _uSendId, _uCampaignId, _uCustomerId;
        private readonly SqliteParameter _mCustomerId, _mAt;
        private readonly SqliteParameter _pCustomerId, _pMuted, _pPaused, _pAt;

        public Commands(MailsmithStore store, SqliteConnection connection, long quickMs)
        {
            using (var engagement = store.Command(connection, "track-insert-engagement"))
            {
                Engagements = new EngagementWriter(connection, engagement.CommandText, quickMs);
            }

            _unsubscribe = store.Command(connection, "track-insert-unsubscribe");
            _uAt = _unsubscribe.Parameters.Add("$at", SqliteType.Integer);
            _uUserAgent = _unsubscribe.Parameters.Add("$user_agent", SqliteType.Text);
            _uEventKey = _unsubscribe.Parameters.Add("$event_key", SqliteType.Blob);
            _uClient = _unsubscribe.Parameters.Add("$client", SqliteType.Text);
            _uSendId = _unsubscribe.Parameters.Add("$send_id", SqliteType.Integer);
            _uCampaignId = _unsubscribe.Parameters.Add("$campaign_id", SqliteType.Text);
            _uCustomerId = _unsubscribe.Parameters.Add("$customer_id", SqliteType.Text);

            _markUnsubscribed = store.Command(connection, "mark-unsubscribed");
            _mCustomerId = _markUnsubscribed.Parameters.Add("$customer_id", SqliteType.Text);
            _mAt = _markUnsubscribed.Parameters.Add("$at", SqliteType.Integer);

            _preferences = store.Command(connection, "track-upsert-preferences");
            _pCustomerId = _preferences.Parameters.Add("$customer_id", SqliteType.Text);
            _pMuted = _preferences.Parameters.Add("$muted_types", SqliteType.Text);
            _pPaused = _preferences.Parameters.Add("$paused_until", SqliteType.Integer);
            _pAt = _preferences.Parameters.Add("$at", SqliteType.Integer);
        }

        /// <summary>Opens and clicks, many rows per statement.</summary>
        public EngagementWriter Engagements { get; }

        /// <summary>The run of opens and clicks being collected for <see cref="Engagements"/> (reused between commits).</summary>
        public List<TrackingEvent> Run { get; } = [];

        public void Bind(SqliteTransaction transaction)
        {
            _unsubscribe.Transaction = transaction;
            _markUnsubscribed.Transaction = transaction;
            _preferences.Transaction = transaction;
        }

        /// <summary>Runs the statements of an unsubscribe or a preference change; <paramref name="replay"/> stores its key, so that a second replay inserts nothing.</summary>
        public void Execute(TrackingEvent e, bool replay)
        {
            object key = replay ? e.Key.ToByteArray(bigEndian: true) : DBNull.Value;
            switch (e.Kind)
            {
                case TrackingEventKind.Unsubscribe:
                    _uAt.Value = DbValues.ToDb(e.At);
                    _uUserAgent.Value = DbValues.ToDb(e.UserAgent);
                    _uEventKey.Value = key;
                    _uClient.Value = DbValues.ToDb(e.Client);
                    _uSendId.Value = e.SendId;
                    _uCampaignId.Value = e.CampaignId;
                    _uCustomerId.Value = e.CustomerId;
                    _unsubscribe.ExecuteNonQuery();
                    _mCustomerId.Value = e.CustomerId;
                    _mAt.Value = DbValues.ToDb(e.At);
                    _markUnsubscribed.ExecuteNonQuery();
                    break;
                case TrackingEventKind.Preferences:
                    _pCustomerId.Value = e.CustomerId;
                    _pMuted.Value = string.Join('|', e.MutedTypes ?? []);
                    _pPaused.Value = DbValues.ToDb(e.PausedUntil);
                    _pAt.Value = DbValues.ToDb(e.At);
                    _preferences.ExecuteNonQuery();
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(e), e.Kind, "Unknown tracking event kind.");
            }
        }

        public void Dispose()
        {
            Engagements.Dispose();
            _unsubscribe.Dispose();
            _markUnsubscribed.Dispose();
            _preferences.Dispose();
        }
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Could not commit {Count} tracking events ({Reason}); spooling them")]
    private static partial void LogCommitFailed(ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "Spooled {Count} tracking events to {Path}")]
    private static partial void LogSpooled(ILogger logger, int count, string path);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Error, Message = "LOST {Count} tracking events: neither the database nor the spool could take them ({Reason})")]
    private static partial void LogLost(ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Information, Message = "Stored {Count} spooled tracking events from {Path}")]
    private static partial void LogReplayed(ILogger logger, int count, string path);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Error, Message = "Spool file {Path} cannot be read ({Reason}); renamed to .bad")]
    private static partial void LogBadSpool(ILogger logger, string path, string reason);
}
