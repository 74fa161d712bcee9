namespace Mailsmith.Learn.Propensity;

/// <summary>
/// Sends with known click probabilities for tests and the training benchmark: profile-like features (lifecycle,
/// RFM scores, recency, price sensitivity, prior engagement, locale, campaign type, how far the send hour is from the
/// recipient's active hour) drive a logistic truth calibrated to a ~2% click rate, with an interaction trees can find.
/// </summary>
public static class SyntheticSends
{
    public static readonly string[] FeatureNames =
    [
        "recency_days", "frequency", "r_score", "f_score", "m_score", "price_sensitivity", "prior_sends", "prior_clicks",
        "hour_distance", "lifecycle=new", "lifecycle=active", "lifecycle=at_risk", "lifecycle=lapsed", "lifecycle=vip",
        "locale=en", "locale=zh", "type=welcome", "type=abandoned_cart", "type=winback", "type=recommendations",
    ];

    public static PropensityData Generate(int sends, int seed)
    {
        var random = new Random(seed);
        var features = new float[sends][];
        var labels = new bool[sends];
        var at = new DateTimeOffset[sends];
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < sends; i++)
        {
            var lifecycle = random.Next(5);
            var frequency = lifecycle == 4 ? 6 + random.Next(10) : random.Next(6);
            var recency = lifecycle switch { 0 => random.Next(30), 1 => random.Next(90), 2 => 90 + random.Next(90), 3 => 180 + random.Next(300), _ => random.Next(60) };
            var r = Math.Clamp(5 - recency / 60, 1, 5);
            var f = Math.Clamp(1 + frequency / 3, 1, 5);
            var m = Math.Clamp(f + random.Next(-1, 2), 1, 5);
            var sensitivity = random.NextSingle();
            var priorSends = random.Next(20);
            var priorClicks = Math.Min(priorSends, random.NextDouble() < 0.2 ? random.Next(4) : 0);
            var hourDistance = random.Next(13);
            var zh = random.NextDouble() < 0.45;
            var type = random.Next(4);
            var logit = -4.35 + 0.18 * (r - 3) + 0.12 * (f - 2) + 0.45 * Math.Min(priorClicks, 3) - 0.05 * hourDistance
                        + (lifecycle == 3 ? -0.7 : lifecycle == 4 ? 0.4 : 0) + (type == 1 ? 0.9 : type == 2 ? -0.2 : 0)
                        // An interaction a linear model cannot see: price-sensitive customers click win-back offers.
                        + (type == 2 ? 1.2 * (sensitivity - 0.5) : 0) + (zh ? 0.1 : 0);
            labels[i] = random.NextDouble() < 1 / (1 + Math.Exp(-logit));
            var x = new float[FeatureNames.Length];
            x[0] = recency;
            x[1] = frequency;
            x[2] = r;
            x[3] = f;
            x[4] = m;
            x[5] = sensitivity;
            x[6] = priorSends;
            x[7] = priorClicks;
            x[8] = hourDistance;
            x[9 + lifecycle] = 1;
            x[zh ? 15 : 14] = 1;
            x[16 + type] = 1;
            features[i] = x;
            at[i] = start.AddSeconds(i * 30.0);
        }
        return new PropensityData(FeatureNames, features, labels, at);
    }
}
