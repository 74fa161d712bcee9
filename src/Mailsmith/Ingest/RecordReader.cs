using System.Text;
using System.Text.Unicode;

namespace Mailsmith.Ingest;

/// <summary>
/// The column names of one input file, in first-seen order. A CSV file's columns are its header; a JSON Lines
/// file's columns grow as new keys appear. <see cref="Added"/> lets the row mapper classify each column once.
/// </summary>
internal sealed class ColumnSet
{
    private readonly List<string> _names = [];
    private readonly List<byte[]> _utf8 = [];

    /// <summary>Called with (index, name) when a column is added.</summary>
    public Action<int, string>? Added { get; set; }

    public int Count => _names.Count;

    public string this[int index] => _names[index];

    public IReadOnlyList<string> Names => _names;

    public int Add(string name)
    {
        _names.Add(name);
        _utf8.Add(Encoding.UTF8.GetBytes(name));
        var index = _names.Count - 1;
        Added?.Invoke(index, name);
        return index;
    }

    /// <summary>The index of the column named by <paramref name="utf8Name"/>, or -1. Linear: files have a few dozen columns at most.</summary>
    public int Find(ReadOnlySpan<byte> utf8Name)
    {
        for (var i = 0; i < _utf8.Count; i++)
        {
            if (utf8Name.SequenceEqual(_utf8[i]))
            {
                return i;
            }
        }
        return -1;
    }
}

/// <summary>
/// The fields of the current record as UTF-8 bytes, indexed by column. One buffer is reused for every record,
/// so reading allocates nothing per row; values become strings only when a mapper asks for them.
/// </summary>
internal sealed class RecordFields
{
    private byte[] _data = new byte[4096];
    private int _used;
    private int[] _start = new int[32];
    private int[] _length = new int[32];
    private int _fieldStart;

    /// <summary>The number of field slots in the record (CSV: fields read; JSON Lines: highest column + 1).</summary>
    public int Count { get; private set; }

    public void Clear()
    {
        for (var i = 0; i < Count; i++)
        {
            _length[i] = -1;
        }
        _used = 0;
        Count = 0;
    }

    /// <summary>True when the record has column <paramref name="column"/> at all (a JSON key present, a CSV field there).</summary>
    public bool Has(int column) => column >= 0 && column < Count && _length[column] >= 0;

    /// <summary>The bytes of a column; empty when absent.</summary>
    public ReadOnlySpan<byte> this[int column] => Has(column) ? _data.AsSpan(_start[column], _length[column]) : default;

    // ---- CSV: fields are appended in order, possibly in several pieces across buffer refills ----

    public void BeginField() => _fieldStart = _used;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        EnsureData(bytes.Length);
        bytes.CopyTo(_data.AsSpan(_used));
        _used += bytes.Length;
    }

    public void Append(byte b)
    {
        EnsureData(1);
        _data[_used++] = b;
    }

    public void EndField()
    {
        EnsureSlots(Count + 1);
        _start[Count] = _fieldStart;
        _length[Count] = _used - _fieldStart;
        Count++;
    }

    // ---- JSON Lines: fields are set by column index ----

    /// <summary>Reserves <paramref name="maxLength"/> bytes for the next field and returns them; finish with <see cref="Commit"/>.</summary>
    public Span<byte> Reserve(int maxLength)
    {
        EnsureData(maxLength);
        return _data.AsSpan(_used, maxLength);
    }

    public void Commit(int column, int length)
    {
        EnsureSlots(column + 1);
        for (var i = Count; i <= column; i++)
        {
            _length[i] = -1;
        }
        if (column >= Count)
        {
            Count = column + 1;
        }
        _start[column] = _used;
        _length[column] = length;
        _used += length;
    }

    public void Set(int column, ReadOnlySpan<byte> value)
    {
        value.CopyTo(Reserve(value.Length));
        Commit(column, value.Length);
    }

    private void EnsureData(int extra)
    {
        if (_used + extra > _data.Length)
        {
            Array.Resize(ref _data, Math.Max(_data.Length * 2, _used + extra));
        }
    }

    private void EnsureSlots(int count)
    {
        if (count > _start.Length)
        {
            var size = Math.Max(count, _start.Length * 2);
            var oldLength = _length.Length;
            Array.Resize(ref _start, size);
            Array.Resize(ref _length, size);
            _length.AsSpan(oldLength).Fill(-1);
        }
    }
}

/// <summary>
/// Streams records from one input file with the physical line each starts on. Subclasses read one format;
/// neither ever holds more than the current record (plus a read buffer) in memory.
/// </summary>
internal abstract class RecordReader : IDisposable
{
    private readonly Stream _stream;
    private readonly List<(string Column, string Reason)> _errors = [];

    protected RecordReader(Stream stream, ColumnSet columns)
    {
        _stream = stream;
        Columns = columns;
    }

    public ColumnSet Columns { get; }

    public RecordFields Fields { get; } = new();

    /// <summary>The physical line (1-based) on which the current record starts.</summary>
    public long Line { get; protected set; }

    /// <summary>Bytes consumed from the stream so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Problems found while reading the current record (invalid UTF-8, unterminated quote, bad JSON).</summary>
    public IReadOnlyList<(string Column, string Reason)> Errors => _errors;

    /// <summary>True for CSV: every record must have exactly as many fields as the header.</summary>
    public abstract bool HasHeader { get; }

    /// <summary>Reads the header, if the format has one. False when the file is empty.</summary>
    public abstract bool ReadHeader();

    /// <summary>Advances to the next record; false at the end of the file.</summary>
    public abstract bool Read();

    protected void ClearErrors() => _errors.Clear();

    protected void AddError(string column, string reason) => _errors.Add((column, reason));

    /// <summary>Flags every field of the current record that is not valid UTF-8.</summary>
    protected void CheckUtf8()
    {
        var fields = Fields;
        for (var i = 0; i < fields.Count; i++)
        {
            if (fields.Has(i) && !Utf8.IsValid(fields[i]))
            {
                AddError(ColumnName(i), "invalid UTF-8");
            }
        }
    }

    protected string ColumnName(int index) => index < Columns.Count ? Columns[index] : $"(field {index + 1})";

    // The read window shared by the formats: bytes [Pos, End) of Buffer are read but not yet consumed.
    // Fields rather than properties: the readers touch them once per byte (CA1051 is off project-wide).
    protected byte[] Buffer = new byte[1 << 16];
    protected int Pos;
    protected int End;
    protected bool Eof;

    /// <summary>Makes at least <paramref name="count"/> unread bytes available; false when the file ends first.</summary>
    protected bool EnsureBytes(int count)
    {
        while (End - Pos < count)
        {
            if (Eof)
            {
                return false;
            }
            // Everything before Pos has already been consumed, so it can be dropped.
            var remaining = End - Pos;
            if (remaining > 0 && Pos > 0)
            {
                System.Buffer.BlockCopy(Buffer, Pos, Buffer, 0, remaining);
            }
            Pos = 0;
            End = remaining;
            if (End == Buffer.Length)
            {
                Array.Resize(ref Buffer, Buffer.Length * 2);
            }
            var read = _stream.Read(Buffer, End, Buffer.Length - End);
            BytesRead += read;
            if (read == 0)
            {
                Eof = true;
            }
            End += read;
        }
        return true;
    }

    public void Dispose() => _stream.Dispose();
}
