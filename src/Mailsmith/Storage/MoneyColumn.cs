namespace Mailsmith.Storage;

/// <summary>
/// A column of optional <see cref="decimal"/> values in 9 bytes each instead of 24 (a <c>decimal?</c>): the 96-bit
/// integer as a <see cref="long"/> when it fits in 63 bits (any amount of money with fewer than 19 digits), the scale and
/// the sign in a byte. Values read back exactly as written, scale and negative zero included (12.50 stays 12.50); a value
/// whose integer does not fit is kept whole on the side.
/// </summary>
internal sealed class MoneyColumn
{
    private const byte Null = 0xFF;
    private const byte Wide = 0xFE;
    private const byte Negative = 0x80;

    private readonly long[] _units;
    private readonly byte[] _scale;
    private Dictionary<int, decimal>? _wide;

    public MoneyColumn(int count)
    {
        _units = new long[count];
        _scale = new byte[count];
    }

    public int Count => _units.Length;

    public void Set(int index, decimal? value)
    {
        if (value is not { } d)
        {
            _units[index] = 0;
            _scale[index] = Null;
            return;
        }
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(d, bits);
        if (bits[2] != 0 || bits[1] < 0)
        {
            (_wide ??= [])[index] = d;
            _units[index] = 0;
            _scale[index] = Wide;
            return;
        }
        _wide?.Remove(index);
        _units[index] = ((long)(uint)bits[1] << 32) | (uint)bits[0];
        var scale = (byte)((bits[3] >> 16) & 0xFF);
        _scale[index] = bits[3] < 0 ? (byte)(scale | Negative) : scale;
    }

    public decimal? Get(int index)
    {
        var s = _scale[index];
        if (s == Null)
        {
            return null;
        }
        if (s == Wide)
        {
            return _wide![index];
        }
        var units = _units[index];
        return new decimal((int)units, (int)(units >> 32), 0, (s & Negative) != 0, (byte)(s & ~Negative));
    }

    /// <summary>The value at <paramref name="index"/>, which must not be null.</summary>
    public decimal GetValue(int index) => Get(index) ?? throw new InvalidOperationException("the value is null");
}
