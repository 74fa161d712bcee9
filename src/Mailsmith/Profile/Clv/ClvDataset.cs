namespace Mailsmith.Profile.Clv;

/// <summary>
/// Each customer's purchase history reduced to what BG/NBD and Gamma-Gamma need, in columns (one entry per customer):
/// repeat purchases x, recency t_x and age T (in whole days), the mean value of the repeat purchases, and, when a
/// holdout period is given, the purchases in it.
/// </summary>
/// <remarks>
/// Definitions, as in Fader, Hardie &amp; Lee (2005): purchases on the same calendar day are merged into one
/// transaction (their amounts summed). A customer's first transaction is their "birth"; x is the number of
/// transactions after it up to and including the calibration end; t_x the days from the first to the last of them
/// (0 when x = 0); T the days from the first transaction to the calibration end. Only customers whose first
/// transaction is on or before the calibration end are included. The mean repeat value averages the x repeat
/// transactions (not the first), as the Gamma-Gamma model is fitted to. Holdout purchases are the transactions after
/// the calibration end up to and including the holdout end.
/// </remarks>
public sealed class ClvDataset
{
    private ClvDataset(string[] ids, int[] x, int[] tx, int[] t, double[] mean, int[] holdout, DateOnly[] first, DateOnly[] last,
        DateOnly calibrationEnd, DateOnly? holdoutEnd, int excluded, long transactions)
    {
        CustomerIds = ids;
        Frequency = x;
        RecencyDays = tx;
        AgeDays = t;
        MeanRepeatValue = mean;
        HoldoutPurchases = holdout;
        FirstPurchase = first;
        LastPurchase = last;
        CalibrationEnd = calibrationEnd;
        HoldoutEnd = holdoutEnd;
        CustomersAfterCalibration = excluded;
        Transactions = transactions;
    }

    public string[] CustomerIds { get; }

    /// <summary>x: repeat transactions (distinct purchase days after the first) in the calibration period.</summary>
    public int[] Frequency { get; }

    /// <summary>t_x in days: from the first transaction to the last calibration transaction.</summary>
    public int[] RecencyDays { get; }

    /// <summary>T in days: from the first transaction to the calibration end.</summary>
    public int[] AgeDays { get; }

    /// <summary>The mean amount of the repeat calibration transactions; 0 when x = 0.</summary>
    public double[] MeanRepeatValue { get; }

    /// <summary>Transactions (distinct days) in the holdout period; all 0 without a holdout end.</summary>
    public int[] HoldoutPurchases { get; }

    public DateOnly[] FirstPurchase { get; }

    /// <summary>The last purchase day on or before the calibration end.</summary>
    public DateOnly[] LastPurchase { get; }

    /// <summary>The last day of the calibration period (inclusive); predictions are made as of the end of this day.</summary>
    public DateOnly CalibrationEnd { get; }

    /// <summary>The last day of the holdout period (inclusive), or null when there is none.</summary>
    public DateOnly? HoldoutEnd { get; }

    /// <summary>Days in the holdout period (0 without one).</summary>
    public int HoldoutDays => HoldoutEnd is { } end ? end.DayNumber - CalibrationEnd.DayNumber : 0;

    /// <summary>Customers left out because their first purchase is after the calibration end.</summary>
    public int CustomersAfterCalibration { get; }

    /// <summary>Rows read (before same-day merging), up to the holdout end.</summary>
    public long Transactions { get; }

    public int Count => CustomerIds.Length;

    /// <summary>Customers with at least one repeat transaction in the calibration period.</summary>
    public int RepeatCustomers => Frequency.Count(f => f > 0);

    /// <summary>Summarizes <paramref name="transactions"/> (any order) at <paramref name="calibrationEnd"/>.</summary>
    /// <param name="transactions">Purchases; rows after the holdout end (or the calibration end without one) are ignored.</param>
    /// <param name="calibrationEnd">The last day of the calibration period, inclusive.</param>
    /// <param name="holdoutEnd">The last day of the holdout period, inclusive; null for none.</param>
    /// <exception cref="ArgumentException">The holdout end is not after the calibration end.</exception>
    public static ClvDataset Create(IEnumerable<ClvTransaction> transactions, DateOnly calibrationEnd, DateOnly? holdoutEnd = null)
    {
        if (holdoutEnd is { } h && h <= calibrationEnd)
        {
            throw new ArgumentException($"the holdout end {h:yyyy-MM-dd} must be after the calibration end {calibrationEnd:yyyy-MM-dd}");
        }
        var lastDay = (holdoutEnd ?? calibrationEnd).DayNumber;
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var ids = new List<string>();
        // One sortable key per row: customer index in the high bits, day number in the low 32.
        var keys = new List<long>();
        var amounts = new List<double>();
        foreach (var t in transactions)
        {
            if (t.Date.DayNumber > lastDay)
            {
                continue;
            }
            if (!index.TryGetValue(t.CustomerId, out var c))
            {
                c = ids.Count;
                index.Add(t.CustomerId, c);
                ids.Add(t.CustomerId);
            }
            keys.Add(((long)c << 32) | (uint)t.Date.DayNumber);
            amounts.Add(t.Amount);
        }
        var keyArray = keys.ToArray();
        var amountArray = amounts.ToArray();
        Array.Sort(keyArray, amountArray);
        // Rows of one customer and day come out of the (unstable) sort in any order; order their amounts so the
        // day's sum, and everything fitted from it, does not depend on the order of the input.
        for (var run = 0; run < keyArray.Length;)
        {
            var next = run + 1;
            while (next < keyArray.Length && keyArray[next] == keyArray[run])
            {
                next++;
            }
            if (next - run > 1)
            {
                Array.Sort(amountArray, run, next - run);
            }
            run = next;
        }

        var calibrationDay = calibrationEnd.DayNumber;
        var outIds = new List<string>(ids.Count);
        var x = new List<int>(ids.Count);
        var tx = new List<int>(ids.Count);
        var age = new List<int>(ids.Count);
        var mean = new List<double>(ids.Count);
        var holdout = new List<int>(ids.Count);
        var first = new List<DateOnly>(ids.Count);
        var last = new List<DateOnly>(ids.Count);
        var excluded = 0;
        var i = 0;
        while (i < keyArray.Length)
        {
            var customer = (int)(keyArray[i] >> 32);
            var firstDay = (int)(uint)keyArray[i];
            if (firstDay > calibrationDay)
            {
                excluded++;
                while (i < keyArray.Length && (int)(keyArray[i] >> 32) == customer)
                {
                    i++;
                }
                continue;
            }
            var repeats = 0;
            var lastCalibrationDay = firstDay;
            var repeatSum = 0.0;
            var holdoutCount = 0;
            var currentDay = -1;
            var dayAmount = 0.0;
            // Walk the customer's rows, merging rows of one day into one transaction.
            while (true)
            {
                var end = i >= keyArray.Length || (int)(keyArray[i] >> 32) != customer;
                var day = end ? -1 : (int)(uint)keyArray[i];
                if (currentDay >= 0 && (end || day != currentDay))
                {
                    if (currentDay > calibrationDay)
                    {
                        holdoutCount++;
                    }
                    else if (currentDay != firstDay)
                    {
                        repeats++;
                        repeatSum += dayAmount;
                        lastCalibrationDay = currentDay;
                    }
                    dayAmount = 0;
                }
                if (end)
                {
                    break;
                }
                currentDay = day;
                dayAmount += amountArray[i];
                i++;
            }
            outIds.Add(ids[customer]);
            x.Add(repeats);
            tx.Add(lastCalibrationDay - firstDay);
            age.Add(calibrationDay - firstDay);
            mean.Add(repeats > 0 ? repeatSum / repeats : 0);
            holdout.Add(holdoutCount);
            first.Add(DateOnly.FromDayNumber(firstDay));
            last.Add(DateOnly.FromDayNumber(lastCalibrationDay));
        }
        return new ClvDataset([.. outIds], [.. x], [.. tx], [.. age], [.. mean], [.. holdout], [.. first], [.. last],
            calibrationEnd, holdoutEnd, excluded, keyArray.LongLength);
    }
}
