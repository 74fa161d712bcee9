using Mailsmith.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SQLitePCL;

namespace Mailsmith.Track;

/// <summary>
/// Checkpoints the WAL of the tracking writer's database on a thread of its own, with its own connection, so the
/// writer never stops for it: a checkpoint copies about <see cref="TrackingRecorder.CheckpointPages"/> pages back into
/// the database file and syncs it, 8 ms on average and up to 24 ms here at 18,000 events/s (docs/benchmarks.md),
/// and every request that arrived meanwhile waited for it while the writer ran it itself.
/// </summary>
/// <remarks>
/// A PASSIVE checkpoint never blocks the writer, but SQLite restarts the WAL from its beginning only when a write
/// transaction starts with every frame copied back, which never happens while the writer commits during every
/// checkpoint. So when a checkpoint ends with the WAL still longer than <see cref="CatchUpFrames"/>, the writer is asked
/// (<see cref="TakeCatchUp"/>) to run one more PASSIVE checkpoint itself after answering a batch: by then only the
/// frames written during the background checkpoint are left to copy, and its next transaction restarts the WAL.
/// </remarks>
internal sealed partial class WalCheckpointer : IDisposable
{
    /// <summary>WAL frames left after a background checkpoint above which the writer catches up itself.</summary>
    internal const int CatchUpFrames = 2 * TrackingRecorder.CheckpointPages;

    private readonly MailsmithStore _store;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _due = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private long _checkpoints;
    private int _catchUp;
    private int _disposed;

    public WalCheckpointer(MailsmithStore store, ILogger logger)
    {
        _store = store;
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "mailsmith-wal-checkpoint" };
        _thread.Start();
    }

    /// <summary>Checkpoints completed (background and catch-up).</summary>
    public long Checkpoints => Interlocked.Read(ref _checkpoints);

    /// <summary>Asks for a checkpoint; a request while one is pending or running adds nothing.</summary>
    public void Request()
    {
        if (_due.CurrentCount == 0)
        {
            try
            {
                _due.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another request got there first: one checkpoint is pending either way.
            }
        }
    }

    /// <summary>True once after a background checkpoint left a long WAL: the writer should checkpoint itself now.</summary>
    public bool TakeCatchUp() => Interlocked.Exchange(ref _catchUp, 0) == 1;

    /// <summary>The writer's own PASSIVE checkpoint on its connection (see <see cref="TakeCatchUp"/>).</summary>
    public void CatchUp(sqlite3 db)
    {
        var rc = raw.sqlite3_wal_checkpoint_v2(db, "main", raw.SQLITE_CHECKPOINT_PASSIVE, out _, out _);
        Count(rc, db);
    }

    public void Dispose()
    {
        // The recorder may be disposed twice (by the host and by its owner); the second call finds nothing to do.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
        _due.Dispose();
    }

    private void Run()
    {
        SqliteConnection? connection = null;
        try
        {
            while (true)
            {
                try
                {
                    _due.Wait(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                try
                {
                    connection ??= _store.OpenConnection();
                    var db = connection.Handle!;
                    var rc = raw.sqlite3_wal_checkpoint_v2(db, "main", raw.SQLITE_CHECKPOINT_PASSIVE, out var frames, out _);
                    Count(rc, db);
                    if (rc == raw.SQLITE_OK && frames > CatchUpFrames)
                    {
                        Volatile.Write(ref _catchUp, 1);
                    }
                }
                catch (Exception e) when (e is SqliteException or IOException or InvalidOperationException)
                {
                    // Nothing is lost (the events are in the WAL); the next request tries on a fresh connection.
                    LogCheckpointFailed(_logger, -1, e.Message);
                    connection?.Dispose();
                    connection = null;
                }
            }
        }
        finally
        {
            connection?.Dispose();
        }
    }

    private void Count(int rc, sqlite3 db)
    {
        if (rc == raw.SQLITE_OK)
        {
            Interlocked.Increment(ref _checkpoints);
        }
        else
        {
            LogCheckpointFailed(_logger, rc, raw.sqlite3_errmsg(db).utf8_to_string());
        }
    }

    [LoggerMessage(EventId = 6006, Level = LogLevel.Warning, Message = "WAL checkpoint of the tracking database failed (SQLite {Code}: {Reason}); retried at the next threshold")]
    private static partial void LogCheckpointFailed(ILogger logger, int code, string reason);
}
