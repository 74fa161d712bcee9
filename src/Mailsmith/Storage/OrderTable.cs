using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Mailsmith.Storage;

/// <summary>
/// The store's orders and order lines held column by column, like <see cref="EventTable"/>: per order its id, a customer
/// index, the instant in UTC ticks, the two amounts in 9 bytes each (<see cref="MoneyColumn"/>) and an index into the
/// interned (currency, discount code) pairs; per line a product index, the quantity and the unit price. Rows are grouped
/// by customer (orders) and by order id (lines), each group in input order, so <see cref="Of(string)"/> and
/// <see cref="LinesOf(string)"/> are contiguous ranges; the input order is kept as a permutation.
/// </summary>
/// <remarks>
/// About 140 bytes per order and its line instead of ~300 as records with per-customer and per-order arrays in two
/// dictionaries (docs/benchmarks.md, "Profile memory, 4 December"). Reading a row materializes an <see cref="Order"/> or
/// <see cref="OrderLine"/> (equal, by value, to the one added; its strings are the shared ones). Immutable; thread-safe
/// for reading.
/// </remarks>
public sealed class OrderTable : IReadOnlyList<Order>
{
    private readonly string[] _customerIds;
    private readonly Dictionary<string, int> _customerIndex;
    private readonly string[] _productIds;
    private readonly (string? Currency, string? DiscountCode)[] _texts;

    // Orders, customer-major.
    private readonly string[] _orderIds;
    private readonly int[] _customer;
    private readonly long[] _utcTicks;
    private readonly short[]? _offsetMinutes;
    private readonly MoneyColumn _total;
    private readonly MoneyColumn _discount;
    private readonly int[] _text;
    private readonly int[] _customerStart;
    private readonly int[] _inputOrder;

    // Lines, grouped by order id (a key: the distinct order ids of the orders, in row order, then ids only lines name).
    private readonly string[] _keys;
    private readonly Dictionary<string, int> _keyIndex;
    private readonly int[] _lineKey;
    private readonly int[] _lineProduct;
    private readonly int[] _lineQuantity;
    private readonly MoneyColumn _linePrice;
    private readonly int[] _lineStart;
    private readonly int[] _lineInputOrder;

    /// <summary>A table without orders.</summary>
    public static OrderTable Empty { get; } = new([], []);

    /// <param name="orders">The orders (time order for a store); <see cref="this[int]"/> and enumeration keep this order.</param>
    /// <param name="lines">The order lines, in any order; each order's keep theirs.</param>
    /// <param name="canonicalCustomerId">Maps a customer id to an equal string to share (the customer record's), or null to keep it.</param>
    /// <param name="canonicalProductId">Maps a product id to an equal string to share (the product record's), or null to keep it.</param>
    public OrderTable(IReadOnlyList<Order> orders, IReadOnlyList<OrderLine> lines,
        Func<string, string?>? canonicalCustomerId = null, Func<string, string?>? canonicalProductId = null)
        : this(orders, lines, null, null, canonicalCustomerId, canonicalProductId)
    {
    }

    /// <param name="sharedIndex">
    /// A customer index to use instead of one of the table's own (the event table's, which the snapshot shares too:
    /// a loaded store's customers are indexed once), with <paramref name="sharedIds"/> its ids by position; used when
    /// it holds every order's customer.
    /// </param>
    internal OrderTable(IReadOnlyList<Order> orders, IReadOnlyList<OrderLine> lines, Dictionary<string, int>? sharedIndex, string[]? sharedIds,
        Func<string, string?>? canonicalCustomerId, Func<string, string?>? canonicalProductId)
    {
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(lines);
        var n = orders.Count;
        var slotOf = new int[n];
        var shared = sharedIndex is not null && sharedIds is not null;
        for (var k = 0; shared && k < n; k++)
        {
            shared = sharedIndex!.TryGetValue(orders[k].CustomerId, out slotOf[k]);
        }
        if (shared)
        {
            _customerIndex = sharedIndex!;
            _customerIds = sharedIds!;
        }
        else
        {
            var customerIds = new List<string>();
            _customerIndex = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var k = 0; k < n; k++)
            {
                var id = orders[k].CustomerId;
                if (!_customerIndex.TryGetValue(id, out var slot))
                {
                    id = canonicalCustomerId?.Invoke(id) ?? id;
                    _customerIndex[id] = slot = customerIds.Count;
                    customerIds.Add(id);
                }
                slotOf[k] = slot;
            }
            _customerIds = [.. customerIds];
            _customerIndex.TrimExcess();
        }

        // A stable counting sort by customer: each customer's orders keep the input order.
        var customers = _customerIds.Length;
        _customerStart = new int[customers + 1];
        foreach (var slot in slotOf)
        {
            _customerStart[slot + 1]++;
        }
        for (var c = 0; c < customers; c++)
        {
            _customerStart[c + 1] += _customerStart[c];
        }
        var next = _customerStart[..customers];
        _orderIds = new string[n];
        _customer = new int[n];
        _utcTicks = new long[n];
        _total = new MoneyColumn(n);
        _discount = new MoneyColumn(n);
        _text = new int[n];
        _inputOrder = new int[n];
        short[]? offsets = null;
        var texts = new List<(string?, string?)> { (null, null) };
        var textIndex = new Dictionary<(string?, string?), int> { [(null, null)] = 0 };
        for (var k = 0; k < n; k++)
        {
            var o = orders[k];
            var c = slotOf[k];
            var row = next[c]++;
            _inputOrder[k] = row;
            _orderIds[row] = o.OrderId;
            _customer[row] = c;
            _utcTicks[row] = o.OrderedAt.UtcTicks;
            if (o.OrderedAt.Offset != TimeSpan.Zero)
            {
                (offsets ??= new short[n])[row] = checked((short)o.OrderedAt.Offset.TotalMinutes);
            }
            _total.Set(row, o.Total);
            _discount.Set(row, o.DiscountAmount);
            var pair = (o.Currency, o.DiscountCode);
            if (!textIndex.TryGetValue(pair, out var t))
            {
                textIndex[pair] = t = texts.Count;
                texts.Add(pair);
            }
            _text[row] = t;
        }
        _offsetMinutes = offsets;
        _texts = [.. texts];

        // Line keys: the orders' ids in row order (so a key is its order's row when the ids are distinct), then the
        // ids that only lines name.
        _keyIndex = new Dictionary<string, int>(n, StringComparer.Ordinal);
        List<string>? keys = null;
        for (var row = 0; row < n; row++)
        {
            if (!_keyIndex.TryAdd(_orderIds[row], _keyIndex.Count))
            {
                // A repeated order id: keys no longer follow rows.
                keys ??= [.. _orderIds.Take(row)];
                continue;
            }
            keys?.Add(_orderIds[row]);
        }
        var m = lines.Count;
        var keyOf = new int[m];
        var productIds = new List<string>();
        var productIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var productOf = new int[m];
        for (var j = 0; j < m; j++)
        {
            var line = lines[j];
            if (!_keyIndex.TryGetValue(line.OrderId, out var key))
            {
                keys ??= [.. _orderIds];
                _keyIndex[line.OrderId] = key = keys.Count;
                keys.Add(line.OrderId);
            }
            keyOf[j] = key;
            if (!productIndex.TryGetValue(line.ProductId, out var p))
            {
                var id = canonicalProductId?.Invoke(line.ProductId) ?? line.ProductId;
                productIndex[id] = p = productIds.Count;
                productIds.Add(id);
            }
            productOf[j] = p;
        }
        _keys = keys is null ? _orderIds : [.. keys];
        _productIds = [.. productIds];
        _lineStart = new int[_keys.Length + 1];
        foreach (var key in keyOf)
        {
            _lineStart[key + 1]++;
        }
        for (var key = 0; key < _keys.Length; key++)
        {
            _lineStart[key + 1] += _lineStart[key];
        }
        var nextLine = _lineStart[.._keys.Length];
        _lineKey = new int[m];
        _lineProduct = new int[m];
        _lineQuantity = new int[m];
        _linePrice = new MoneyColumn(m);
        _lineInputOrder = new int[m];
        for (var j = 0; j < m; j++)
        {
            var line = lines[j];
            var key = keyOf[j];
            var row = nextLine[key]++;
            _lineInputOrder[j] = row;
            _lineKey[row] = key;
            _lineProduct[row] = productOf[j];
            _lineQuantity[row] = line.Quantity;
            _linePrice.Set(row, line.UnitPrice);
        }
        Lines = new LineList(this);
        ByCustomer = new RangeGroups<Order, OrderSlice>(_customerIds, _customerIndex, _customerStart, (from, to) => new OrderSlice(this, from, to));
        LinesByOrder = new RangeGroups<OrderLine, LineSlice>(_keys, _keyIndex, _lineStart, (from, to) => new LineSlice(this, from, to));
    }

    /// <summary>Number of orders.</summary>
    public int Count => _orderIds.Length;

    /// <summary>The <paramref name="index"/>-th order as added (time order for a loaded store).</summary>
    public Order this[int index] => Row(_inputOrder[index]);

    /// <summary>Every order line, in the order added.</summary>
    public LineList Lines { get; }

    /// <summary>Orders per customer (customers with at least one), each customer's in the order added. A view: no copy.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Order>> ByCustomer { get; }

    /// <summary>Lines per order id (ids with at least one line), in the order added. A view: no copy.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<OrderLine>> LinesByOrder { get; }

    /// <summary>A customer's orders in the order added (empty when none).</summary>
    public OrderSlice Of(string customerId) =>
        _customerIndex.TryGetValue(customerId, out var c) ? new OrderSlice(this, _customerStart[c], _customerStart[c + 1]) : default;

    /// <summary>The lines of the order(s) with id <paramref name="orderId"/>, in the order added (empty when none).</summary>
    public LineSlice LinesOf(string orderId) =>
        _keyIndex.TryGetValue(orderId, out var key) ? new LineSlice(this, _lineStart[key], _lineStart[key + 1]) : default;

    /// <summary>The orders in the order added.</summary>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<Order> IEnumerable<Order>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private Order Row(int row)
    {
        DateTimeOffset at;
        if (_offsetMinutes is not null && _offsetMinutes[row] != 0)
        {
            var offset = TimeSpan.FromMinutes(_offsetMinutes[row]);
            at = new DateTimeOffset(_utcTicks[row] + offset.Ticks, offset);
        }
        else
        {
            at = new DateTimeOffset(_utcTicks[row], TimeSpan.Zero);
        }
        var (currency, code) = _texts[_text[row]];
        return new Order(_orderIds[row], _customerIds[_customer[row]], at, _total.Get(row), currency, code, _discount.Get(row));
    }

    private OrderLine LineRow(int row) =>
        new(_keys[_lineKey[row]], _productIds[_lineProduct[row]], _lineQuantity[row], _linePrice.GetValue(row));

    /// <summary>One customer's orders. A view: no copy.</summary>
    public readonly struct OrderSlice : IReadOnlyList<Order>
    {
        private readonly OrderTable? _table;
        private readonly int _from;
        private readonly int _to;

        internal OrderSlice(OrderTable table, int from, int to) => (_table, _from, _to) = (table, from, to);

        public int Count => _to - _from;

        public Order this[int index] => (uint)index < (uint)Count ? _table!.Row(_from + index) : throw new ArgumentOutOfRangeException(nameof(index));

        public RowEnumerator<Order> GetEnumerator() => new(_table, _from, _to, static (t, r) => t.Row(r));

        IEnumerator<Order> IEnumerable<Order>.GetEnumerator() => GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>One order's lines. A view: no copy.</summary>
    public readonly struct LineSlice : IReadOnlyList<OrderLine>
    {
        private readonly OrderTable? _table;
        private readonly int _from;
        private readonly int _to;

        internal LineSlice(OrderTable table, int from, int to) => (_table, _from, _to) = (table, from, to);

        public int Count => _to - _from;

        public OrderLine this[int index] => (uint)index < (uint)Count ? _table!.LineRow(_from + index) : throw new ArgumentOutOfRangeException(nameof(index));

        public RowEnumerator<OrderLine> GetEnumerator() => new(_table, _from, _to, static (t, r) => t.LineRow(r));

        IEnumerator<OrderLine> IEnumerable<OrderLine>.GetEnumerator() => GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>Enumerates a range of rows without allocating.</summary>
    public struct RowEnumerator<T> : IEnumerator<T>
    {
        private readonly OrderTable? _table;
        private readonly int _from;
        private readonly int _to;
        private readonly Func<OrderTable, int, T> _read;
        private int _row;

        internal RowEnumerator(OrderTable? table, int from, int to, Func<OrderTable, int, T> read) =>
            (_table, _from, _row, _to, _read) = (table, from, from - 1, to, read);

        public readonly T Current => _read(_table!, _row);

        readonly object? IEnumerator.Current => Current;

        public bool MoveNext() => ++_row < _to;

        public void Reset() => _row = _from - 1;

        public readonly void Dispose()
        {
        }
    }

    /// <summary>Enumerates the orders in the order added without allocating.</summary>
    public struct Enumerator : IEnumerator<Order>
    {
        private readonly OrderTable _table;
        private int _index;

        internal Enumerator(OrderTable table) => (_table, _index) = (table, -1);

        public readonly Order Current => _table.Row(_table._inputOrder[_index]);

        readonly object IEnumerator.Current => Current;

        public bool MoveNext() => ++_index < _table._inputOrder.Length;

        public void Reset() => _index = -1;

        public readonly void Dispose()
        {
        }
    }

    /// <summary>Every order line in the order added.</summary>
    public sealed class LineList : IReadOnlyList<OrderLine>
    {
        private readonly OrderTable _table;

        internal LineList(OrderTable table) => _table = table;

        public int Count => _table._lineInputOrder.Length;

        public OrderLine this[int index] => _table.LineRow(_table._lineInputOrder[index]);

        public IEnumerator<OrderLine> GetEnumerator()
        {
            for (var j = 0; j < _table._lineInputOrder.Length; j++)
            {
                yield return _table.LineRow(_table._lineInputOrder[j]);
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>
    /// Groups as a read-only dictionary over ranges: key k's items are rows <c>start[k]</c> to <c>start[k + 1]</c>. Keys
    /// whose range is empty (a customer without orders in a shared index, an order without lines) are not groups.
    /// </summary>
    private sealed class RangeGroups<TItem, TSlice>(string[] keys, Dictionary<string, int> index, int[] start, Func<int, int, TSlice> slice)
        : IReadOnlyDictionary<string, IReadOnlyList<TItem>>
        where TSlice : IReadOnlyList<TItem>
    {
        private int _count = -1;

        public IReadOnlyList<TItem> this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

        public IEnumerable<string> Keys => Enumerable.Range(0, keys.Length).Where(HasItems).Select(k => keys[k]);

        public IEnumerable<IReadOnlyList<TItem>> Values => Enumerable.Range(0, keys.Length).Where(HasItems).Select(k => (IReadOnlyList<TItem>)Group(k));

        // Counted once.
        public int Count => _count >= 0 ? _count : _count = Enumerable.Range(0, keys.Length).Count(HasItems);

        public bool ContainsKey(string key) => index.TryGetValue(key, out var k) && HasItems(k);

        public bool TryGetValue(string key, [MaybeNullWhen(false)] out IReadOnlyList<TItem> value)
        {
            if (index.TryGetValue(key, out var k) && HasItems(k))
            {
                value = Group(k);
                return true;
            }
            value = null;
            return false;
        }

        public IEnumerator<KeyValuePair<string, IReadOnlyList<TItem>>> GetEnumerator()
        {
            for (var k = 0; k < keys.Length; k++)
            {
                if (HasItems(k))
                {
                    yield return new(keys[k], Group(k));
                }
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        private bool HasItems(int k) => start[k + 1] > start[k];

        private TSlice Group(int k) => slice(start[k], start[k + 1]);
    }
}
