using System.Collections;

namespace Mailsmith.Storage;

/// <summary>
/// The store's events held column by column: per event a product index, a type index, the instant (whole seconds
/// after the first when they all are, else UTC ticks) and an index into the (query, campaign) pairs, the customer being
/// implied by the row's group; every id and type string is kept once. Ten million events take about 180 MB this way
/// instead of about a gigabyte as ten million objects.
/// </summary>
/// <remarks>
/// Rows are stored grouped by customer (each customer's events contiguous, in input order), because the Profile stage
/// reads them a customer at a time; the input order (time order, as the loader reads them) is kept as a permutation.
/// Reading a row materializes a <see cref="StoreEvent"/> value (no allocation: its strings are the shared ones).
/// Immutable after <see cref="Builder.Build"/>; thread-safe for reading.
/// </remarks>
public sealed class EventTable : IReadOnlyList<StoreEvent>
{
    private readonly string[] _customerIds;
    private readonly Dictionary<string, int> _customerIndex;
    private readonly string[] _productIds;
    private readonly string[] _types;
    private readonly (string? Query, string? CampaignId)[] _texts;
    // Columns in customer-major order. A row's customer is not stored (40 MB at 10M events): a slice knows it, and a
    // read in input order finds it in _start by binary search.
    private readonly int[] _product;
    private readonly ushort[] _type;
    // The instant: whole seconds after _baseTicks when every event's is a whole second within 136 years of the
    // first (4 bytes instead of 8: 40 MB at 10M events), else UTC ticks.
    private readonly long[]? _utcTicks;
    private readonly uint[]? _seconds;
    private readonly long _baseTicks;
    private readonly short[]? _offsetMinutes;
    private readonly int[] _text;
    // _start[c].._start[c + 1] are customer c's rows; _inputOrder[k] is the row of the k-th event as added.
    private readonly int[] _start;
    private readonly int[] _inputOrder;
    // _blockCustomer[b] is the customer of row b << BlockBits: a read in input order searches only the customers of its block.
    private const int BlockBits = 10;
    private readonly int[] _blockCustomer;

    /// <summary>A table without events.</summary>
    public static EventTable Empty { get; } = new Builder().Build();

    private EventTable(Builder b)
    {
        var n = b.Count;
        _customerIds = [.. b.CustomerIds];
        _customerIndex = b.CustomerIndex;
        _productIds = [.. b.ProductIds];
        _types = [.. b.Types];
        _texts = [.. b.Texts];
        var customers = _customerIds.Length;

        // A stable counting sort by customer: each customer's rows keep the input order.
        _start = new int[customers + 1];
        for (var k = 0; k < n; k++)
        {
            _start[b.Customer[k] + 1]++;
        }
        for (var c = 0; c < customers; c++)
        {
            _start[c + 1] += _start[c];
        }
        var next = _start[..customers];
        _product = new int[n];
        _type = new ushort[n];
        long min = long.MaxValue, max = long.MinValue;
        var wholeSeconds = true;
        for (var k = 0; k < n; k++)
        {
            var t = b.UtcTicks[k];
            min = Math.Min(min, t);
            max = Math.Max(max, t);
            wholeSeconds &= t % TimeSpan.TicksPerSecond == 0;
        }
        if (n > 0 && wholeSeconds && (max - min) / TimeSpan.TicksPerSecond <= uint.MaxValue)
        {
            _baseTicks = min;
            _seconds = new uint[n];
        }
        else
        {
            _utcTicks = new long[n];
        }
        _text = new int[n];
        _offsetMinutes = b.OffsetMinutes is null ? null : new short[n];
        _inputOrder = new int[n];
        for (var k = 0; k < n; k++)
        {
            var c = b.Customer[k];
            var row = next[c]++;
            _inputOrder[k] = row;
            _product[row] = b.Product[k];
            _type[row] = b.Type[k];
            if (_seconds is not null)
            {
                _seconds[row] = (uint)((b.UtcTicks[k] - _baseTicks) / TimeSpan.TicksPerSecond);
            }
            else
            {
                _utcTicks![row] = b.UtcTicks[k];
            }
            _text[row] = b.Text[k];
            if (_offsetMinutes is not null)
            {
                _offsetMinutes[row] = b.OffsetMinutes![k];
            }
        }
        _blockCustomer = new int[(n + (1 << BlockBits) - 1) >> BlockBits];
        for (var block = 0; block < _blockCustomer.Length; block++)
        {
            _blockCustomer[block] = CustomerOf(block << BlockBits, 0, customers);
        }
    }

    /// <summary>Number of events.</summary>
    public int Count => _inputOrder.Length;

    /// <summary>The <paramref name="index"/>-th event in the order they were added (time order for a loaded store).</summary>
    public StoreEvent this[int index] => Row(_inputOrder[index]);

    /// <summary>The customer whose rows include <paramref name="row"/>: the last c with _start[c] ≤ row (later ones without rows start there too but end there).</summary>
    private int CustomerOf(int row)
    {
        var block = row >> BlockBits;
        // The customer of the next block's first row ends after that row, so after this one.
        var hi = block + 1 < _blockCustomer.Length ? _blockCustomer[block + 1] + 1 : _start.Length - 1;
        return CustomerOf(row, _blockCustomer[block], hi);
    }

    private int CustomerOf(int row, int lo, int hi)
    {
        // Invariant: _start[lo] ≤ row < _start[hi].
        while (hi - lo > 1)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (_start[mid] <= row)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    /// <summary>Ids of the customers with at least one event (and of those the builder was seeded with), in no particular order.</summary>
    public IReadOnlyList<string> CustomerIds => _customerIds;

    /// <summary><see cref="CustomerIds"/> as the table's own array, for a structure that shares the table's customer index.</summary>
    internal string[] CustomerIdArray => _customerIds;

    /// <summary>A customer's events in the order they were added (empty when none).</summary>
    public Slice Of(string customerId) =>
        _customerIndex.TryGetValue(customerId, out var c) ? new Slice(this, c) : default;

    /// <summary>The events of the customer <see cref="CustomerIds"/>[<paramref name="customer"/>].</summary>
    public Slice Of(int customer) => new(this, customer);

    /// <summary>
    /// The table's customer index (id → position in <see cref="CustomerIds"/>) when its first <paramref name="customers"/>.Count
    /// ids are those customers' in order (a table built with them), so the snapshot can share it instead of building
    /// another million-entry dictionary; otherwise null.
    /// </summary>
    internal Dictionary<string, int>? IndexOf(IReadOnlyList<Customer> customers)
    {
        if (_customerIds.Length < customers.Count)
        {
            return null;
        }
        for (var i = 0; i < customers.Count; i++)
        {
            if (!string.Equals(_customerIds[i], customers[i].CustomerId, StringComparison.Ordinal))
            {
                return null;
            }
        }
        return _customerIndex;
    }

    /// <summary>Whether the customer has at least one event.</summary>
    public bool HasEvents(string customerId) => _customerIndex.TryGetValue(customerId, out var c) && _start[c + 1] > _start[c];

    /// <summary>The events in the order they were added.</summary>
    public InputOrderEnumerator GetEnumerator() => new(this);

    IEnumerator<StoreEvent> IEnumerable<StoreEvent>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private StoreEvent Row(int row) => Row(row, CustomerOf(row));

    private long UtcTicks(int row) => _seconds is { } s ? _baseTicks + (s[row] * TimeSpan.TicksPerSecond) : _utcTicks![row];

    private StoreEvent Row(int row, int customer)
    {
        var product = _product[row];
        var (query, campaign) = _texts[_text[row]];
        DateTimeOffset at;
        if (_offsetMinutes is not null && _offsetMinutes[row] != 0)
        {
            var offset = TimeSpan.FromMinutes(_offsetMinutes[row]);
            at = new DateTimeOffset(UtcTicks(row) + offset.Ticks, offset);
        }
        else
        {
            at = new DateTimeOffset(UtcTicks(row), TimeSpan.Zero);
        }
        return new StoreEvent(_customerIds[customer], _types[_type[row]], at, product < 0 ? null : _productIds[product], query, campaign);
    }

    /// <summary>One customer's events, oldest first when they were added in time order. A view: no copy.</summary>
    public readonly struct Slice : IReadOnlyList<StoreEvent>
    {
        private readonly EventTable? _table;
        private readonly int _customer;
        private readonly int _from;
        private readonly int _to;

        internal Slice(EventTable table, int customer) =>
            (_table, _customer, _from, _to) = (table, customer, table._start[customer], table._start[customer + 1]);

        public int Count => _to - _from;

        public StoreEvent this[int index] => (uint)index < (uint)Count ? _table!.Row(_from + index, _customer) : throw new ArgumentOutOfRangeException(nameof(index));

        public SliceEnumerator GetEnumerator() => new(_table, _customer, _from, _to);

        IEnumerator<StoreEvent> IEnumerable<StoreEvent>.GetEnumerator() => GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>Enumerates a <see cref="Slice"/> without allocating.</summary>
    public struct SliceEnumerator : IEnumerator<StoreEvent>
    {
        private readonly EventTable? _table;
        private readonly int _customer;
        private readonly int _from;
        private readonly int _to;
        private int _row;

        internal SliceEnumerator(EventTable? table, int customer, int from, int to) => (_table, _customer, _from, _row, _to) = (table, customer, from, from - 1, to);

        public readonly StoreEvent Current => _table!.Row(_row, _customer);

        readonly object IEnumerator.Current => Current;

        public bool MoveNext() => ++_row < _to;

        public void Reset() => _row = _from - 1;

        public readonly void Dispose()
        {
        }
    }

    /// <summary>Enumerates every event in the order added without allocating.</summary>
    public struct InputOrderEnumerator : IEnumerator<StoreEvent>
    {
        private readonly EventTable _table;
        private int _index;

        internal InputOrderEnumerator(EventTable table) => (_table, _index) = (table, -1);

        public readonly StoreEvent Current => _table.Row(_table._inputOrder[_index]);

        readonly object IEnumerator.Current => Current;

        public bool MoveNext() => ++_index < _table._inputOrder.Length;

        public void Reset() => _index = -1;

        public readonly void Dispose()
        {
        }
    }

    /// <summary>Collects events (in time order for a store) and interns their strings; <see cref="Build"/> once.</summary>
    public sealed class Builder
    {
        internal readonly List<string> CustomerIds = [];
        internal readonly Dictionary<string, int> CustomerIndex = new(StringComparer.Ordinal);
        internal readonly List<string> ProductIds = [];
        private readonly Dictionary<string, int> _productIndex = new(StringComparer.Ordinal);
        internal readonly List<string> Types = [];
        private readonly Dictionary<string, int> _typeIndex = new(StringComparer.Ordinal);
        internal readonly List<(string? Query, string? CampaignId)> Texts = [(null, null)];
        private readonly Dictionary<(string? Query, string? CampaignId), int> _textIndex = new() { [(null, null)] = 0 };
        internal int[] Customer;
        internal int[] Product;
        internal ushort[] Type;
        internal long[] UtcTicks;
        internal int[] Text;
        internal short[]? OffsetMinutes;
        private bool _built;

        /// <param name="capacity">Events expected (the arrays grow past it when needed).</param>
        /// <param name="customers">Customers whose id strings the table should share (so each id is held once in the snapshot).</param>
        public Builder(int capacity = 0, IEnumerable<Customer>? customers = null)
        {
            capacity = Math.Max(capacity, 16);
            Customer = new int[capacity];
            Product = new int[capacity];
            Type = new ushort[capacity];
            UtcTicks = new long[capacity];
            Text = new int[capacity];
            foreach (var c in customers ?? [])
            {
                Intern(c.CustomerId, CustomerIds, CustomerIndex);
            }
        }

        /// <summary>Interns a customer's id as the next customer (as the constructor does for the customers it is given).</summary>
        internal void AddCustomer(string customerId) => Intern(customerId, CustomerIds, CustomerIndex);

        /// <summary>Events added so far.</summary>
        public int Count { get; private set; }

        public void Add(in StoreEvent e) => Add(e.CustomerId, e.Type, e.OccurredAt, e.ProductId, e.Query, e.CampaignId);

        /// <exception cref="InvalidOperationException">More than 65,536 distinct event types, an offset that is not whole minutes, or the table is already built.</exception>
        public void Add(string customerId, string type, DateTimeOffset occurredAt, string? productId, string? query, string? campaignId)
        {
            if (_built)
            {
                throw new InvalidOperationException("the event table is already built");
            }
            if (Count == Customer.Length)
            {
                Grow();
            }
            var k = Count;
            Customer[k] = Intern(customerId, CustomerIds, CustomerIndex);
            Product[k] = productId is null ? -1 : Intern(productId, ProductIds, _productIndex);
            var t = Intern(type, Types, _typeIndex);
            if (t > ushort.MaxValue)
            {
                throw new InvalidOperationException($"more than {ushort.MaxValue + 1:N0} distinct event types");
            }
            Type[k] = (ushort)t;
            UtcTicks[k] = occurredAt.UtcTicks;
            if (occurredAt.Offset != TimeSpan.Zero)
            {
                OffsetMinutes ??= new short[Customer.Length];
                OffsetMinutes[k] = checked((short)occurredAt.Offset.TotalMinutes);
            }
            if (query is null && campaignId is null)
            {
                Text[k] = 0;
            }
            else
            {
                if (!_textIndex.TryGetValue((query, campaignId), out var x))
                {
                    _textIndex[(query, campaignId)] = x = Texts.Count;
                    Texts.Add((query, campaignId));
                }
                Text[k] = x;
            }
            Count = k + 1;
        }

        /// <summary>
        /// Puts the events added so far in time order (equal instants in a fixed, reproducible order), for callers that
        /// generate events customer by customer; a loaded store adds them in time order already.
        /// </summary>
        public void SortByTime()
        {
            var n = Count;
            var keys = UtcTicks.AsSpan(0, n).ToArray();
            var order = new int[n];
            for (var k = 0; k < n; k++)
            {
                order[k] = k;
            }
            Array.Sort(keys, order);
            Customer = Permute(Customer, order);
            Product = Permute(Product, order);
            Type = Permute(Type, order);
            UtcTicks = Permute(UtcTicks, order);
            Text = Permute(Text, order);
            if (OffsetMinutes is not null)
            {
                OffsetMinutes = Permute(OffsetMinutes, order);
            }
        }

        private static T[] Permute<T>(T[] column, int[] order)
        {
            var result = new T[order.Length];
            for (var i = 0; i < order.Length; i++)
            {
                result[i] = column[order[i]];
            }
            return result;
        }

        /// <summary>The table; the builder cannot be used afterwards.</summary>
        public EventTable Build()
        {
            if (_built)
            {
                throw new InvalidOperationException("the event table is already built");
            }
            _built = true;
            // Grown by doubling, the index may hold twice the slots it needs; the table keeps it for good.
            CustomerIndex.TrimExcess();
            var table = new EventTable(this);
            // Release the input-order columns now: a builder kept alive must not hold a second copy.
            Customer = Product = Text = [];
            Type = [];
            UtcTicks = [];
            OffsetMinutes = null;
            return table;
        }

        private void Grow()
        {
            var size = Math.Max(16, Customer.Length * 2);
            Array.Resize(ref Customer, size);
            Array.Resize(ref Product, size);
            Array.Resize(ref Type, size);
            Array.Resize(ref UtcTicks, size);
            Array.Resize(ref Text, size);
            if (OffsetMinutes is not null)
            {
                Array.Resize(ref OffsetMinutes, size);
            }
        }

        private static int Intern(string value, List<string> values, Dictionary<string, int> index)
        {
            if (!index.TryGetValue(value, out var i))
            {
                index[value] = i = values.Count;
                values.Add(value);
            }
            return i;
        }
    }
}
