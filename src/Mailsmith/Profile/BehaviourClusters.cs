using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Mailsmith.Profile;

/// <summary>One behavioural cluster: its number, size, centre (in standard deviations from the mean per feature) and description.</summary>
public sealed record ClusterDescription(int Cluster, int Customers, string Label, IReadOnlyDictionary<string, double> Centre);

/// <summary>The clustering of one run: the chosen k, the silhouette of every k tried, the clusters, and each customer's cluster.</summary>
public sealed record ClusterResult(int K, IReadOnlyDictionary<int, double> Silhouettes, IReadOnlyList<ClusterDescription> Clusters, int[] Assignment);

/// <summary>A feature of the clustering: its name and the words for a cluster far above or below the mean on it.</summary>
internal sealed record ClusterFeature(string Name, string High, string? Low);

/// <summary>
/// k-means (ML.NET, k-means++ initialisation) on standardized behavioural features, k chosen by the mean silhouette
/// on a sample, clusters numbered by size (0 = largest) and described by their most distinguishing features.
/// docs/profiles.md, "Clusters".
/// </summary>
/// <remarks>
/// Each candidate k is trained on the same random sample of at most <see cref="ProfileOptions.ClusterTrainSample"/>
/// customers, single-threaded with a fixed seed so a run repeats; every customer is then assigned to the nearest
/// centre in parallel, which is linear in the customers.
/// </remarks>
internal static class BehaviourClusters
{
    /// <summary>A centre at least this many standard deviations from the mean on a feature names that feature.</summary>
    private const double DistinguishingZ = 0.5;

    public static ClusterResult? Run(float[] features, int dimension, IReadOnlyList<ClusterFeature> names, ProfileOptions options)
    {
        var n = features.Length / dimension;
        var minK = Math.Max(2, options.ClusterMinK);
        if (n < Math.Max(10, minK * 5))
        {
            return null;
        }
        Standardize(features, dimension, out var mean, out var sd);

        var random = new Random(options.ClusterSeed);
        var train = Sample(n, Math.Min(n, options.ClusterTrainSample), random);
        var silhouetteRows = train.Length <= options.ClusterSilhouetteSample ? train : train[..options.ClusterSilhouetteSample];
        var ml = new MLContext(options.ClusterSeed);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dimension);
        var rows = train.Select(i => new Row { Features = features.AsSpan(i * dimension, dimension).ToArray() }).ToList();
        var view = ml.Data.LoadFromEnumerable(rows, schema);

        var silhouettes = new SortedDictionary<int, double>();
        float[]? bestCentres = null;
        var bestK = 0;
        var bestScore = double.NegativeInfinity;
        var maxK = Math.Min(options.ClusterMaxK, train.Length / 5);
        for (var k = minK; k <= maxK; k++)
        {
            var trainer = ml.Clustering.Trainers.KMeans(new KMeansTrainer.Options
            {
                FeatureColumnName = nameof(Row.Features),
                NumberOfClusters = k,
                InitializationAlgorithm = KMeansTrainer.InitializationAlgorithm.KMeansPlusPlus,
                NumberOfThreads = 1,
                MaximumNumberOfIterations = 200,
            });
            var model = trainer.Fit(view);
            VBuffer<float>[] buffers = [];
            model.Model.GetClusterCentroids(ref buffers, out var got);
            var centres = new float[got * dimension];
            for (var c = 0; c < got; c++)
            {
                buffers[c].CopyTo(centres.AsSpan(c * dimension, dimension));
            }
            var score = Silhouette(features, dimension, silhouetteRows, centres, got);
            silhouettes[got] = score;
            if (score > bestScore + 1e-12)
            {
                (bestScore, bestK, bestCentres) = (score, got, centres);
            }
        }
        if (bestCentres is null)
        {
            return null;
        }

        var assignment = new int[n];
        Parallel.For(0, (n + 4095) / 4096, chunk =>
        {
            var end = Math.Min(n, (chunk + 1) * 4096);
            for (var i = chunk * 4096; i < end; i++)
            {
                assignment[i] = Nearest(features.AsSpan(i * dimension, dimension), bestCentres, bestK);
            }
        });

        // Number clusters by size, largest first (ties by the trainer's order), so the ids repeat and read naturally.
        var sizes = new int[bestK];
        foreach (var a in assignment)
        {
            sizes[a]++;
        }
        var order = Enumerable.Range(0, bestK).OrderByDescending(c => sizes[c]).ThenBy(c => c).ToArray();
        var rename = new int[bestK];
        for (var i = 0; i < order.Length; i++)
        {
            rename[order[i]] = i;
        }
        for (var i = 0; i < n; i++)
        {
            assignment[i] = rename[assignment[i]];
        }
        var clusters = new List<ClusterDescription>(bestK);
        for (var i = 0; i < order.Length; i++)
        {
            var c = order[i];
            var centre = bestCentres.AsSpan(c * dimension, dimension);
            var map = new Dictionary<string, double>(StringComparer.Ordinal);
            for (var d = 0; d < dimension; d++)
            {
                map[names[d].Name] = Math.Round(centre[d], 3);
            }
            clusters.Add(new ClusterDescription(i, sizes[c], Describe(centre, names), map));
        }
        return new ClusterResult(bestK, silhouettes, clusters, assignment);
    }

    /// <summary>The up to three features whose centre is furthest from the mean (|z| ≥ 0.5), in words.</summary>
    internal static string Describe(ReadOnlySpan<float> centre, IReadOnlyList<ClusterFeature> names)
    {
        var candidates = new List<(double Z, string Words)>();
        for (var d = 0; d < centre.Length; d++)
        {
            var z = centre[d];
            if (z >= DistinguishingZ)
            {
                candidates.Add((z, names[d].High));
            }
            else if (z <= -DistinguishingZ && names[d].Low is { } low)
            {
                candidates.Add((-z, low));
            }
        }
        if (candidates.Count == 0)
        {
            return "close to the average customer";
        }
        return string.Join(", ", candidates.OrderByDescending(c => c.Z).ThenBy(c => c.Words, StringComparer.Ordinal).Take(3).Select(c => c.Words));
    }

    /// <summary>Mean silhouette s = (b − a) / max(a, b) over the sample rows, with the rows' nearest-centre assignment.</summary>
    internal static double Silhouette(float[] features, int dimension, int[] rows, float[] centres, int k)
    {
        var label = rows.Select(i => Nearest(features.AsSpan(i * dimension, dimension), centres, k)).ToArray();
        var total = 0.0;
        var sums = new double[k];
        var counts = new int[k];
        foreach (var l in label)
        {
            counts[l]++;
        }
        for (var i = 0; i < rows.Length; i++)
        {
            Array.Clear(sums);
            var x = features.AsSpan(rows[i] * dimension, dimension);
            for (var j = 0; j < rows.Length; j++)
            {
                if (i != j)
                {
                    sums[label[j]] += Math.Sqrt(Distance2(x, features.AsSpan(rows[j] * dimension, dimension)));
                }
            }
            var own = label[i];
            if (counts[own] <= 1)
            {
                continue; // a singleton's silhouette is 0 by convention
            }
            var a = sums[own] / (counts[own] - 1);
            var b = double.PositiveInfinity;
            for (var c = 0; c < k; c++)
            {
                if (c != own && counts[c] > 0)
                {
                    b = Math.Min(b, sums[c] / counts[c]);
                }
            }
            if (double.IsFinite(b) && Math.Max(a, b) > 0)
            {
                total += (b - a) / Math.Max(a, b);
            }
        }
        return total / rows.Length;
    }

    private static int Nearest(ReadOnlySpan<float> x, float[] centres, int k)
    {
        var best = 0;
        var bestDistance = double.PositiveInfinity;
        var dimension = x.Length;
        for (var c = 0; c < k; c++)
        {
            var d = Distance2(x, centres.AsSpan(c * dimension, dimension));
            if (d < bestDistance)
            {
                (best, bestDistance) = (c, d);
            }
        }
        return best;
    }

    private static double Distance2(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            var d = a[i] - b[i];
            sum += d * d;
        }
        return sum;
    }

    /// <summary>In place: each feature to (x − mean) / sd; a constant feature becomes 0.</summary>
    private static void Standardize(float[] features, int dimension, out double[] mean, out double[] sd)
    {
        var n = features.Length / dimension;
        mean = new double[dimension];
        sd = new double[dimension];
        for (var i = 0; i < n; i++)
        {
            for (var d = 0; d < dimension; d++)
            {
                mean[d] += features[(i * dimension) + d];
            }
        }
        for (var d = 0; d < dimension; d++)
        {
            mean[d] /= n;
        }
        for (var i = 0; i < n; i++)
        {
            for (var d = 0; d < dimension; d++)
            {
                var x = features[(i * dimension) + d] - mean[d];
                sd[d] += x * x;
            }
        }
        for (var d = 0; d < dimension; d++)
        {
            sd[d] = Math.Sqrt(sd[d] / n);
        }
        for (var i = 0; i < n; i++)
        {
            for (var d = 0; d < dimension; d++)
            {
                var at = (i * dimension) + d;
                features[at] = sd[d] > 1e-12 ? (float)((features[at] - mean[d]) / sd[d]) : 0f;
            }
        }
    }

    /// <summary>A sorted sample of <paramref name="count"/> distinct indexes of 0..n−1 (partial Fisher–Yates).</summary>
    private static int[] Sample(int n, int count, Random random)
    {
        if (count >= n)
        {
            return Enumerable.Range(0, n).ToArray();
        }
        var chosen = new HashSet<int>();
        while (chosen.Count < count)
        {
            chosen.Add(random.Next(n));
        }
        var result = chosen.ToArray();
        // Shuffle once so the silhouette prefix is itself a random sample, not the lowest indexes.
        Array.Sort(result);
        random.Shuffle(result);
        return result;
    }

    private sealed class Row
    {
        public float[] Features { get; set; } = [];
    }
}
