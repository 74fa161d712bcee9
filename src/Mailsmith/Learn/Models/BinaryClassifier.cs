using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.LightGbm;

namespace Mailsmith.Learn.Models;

/// <summary>Which learner fits a probability.</summary>
public enum LearnerKind
{
    /// <summary>Gradient-boosted trees (ML.NET's LightGBM).</summary>
    LightGbm,

    /// <summary>L2-regularized logistic regression (ML.NET's L-BFGS), on standardized features: the baseline.</summary>
    LogisticRegression,
}

/// <summary>LightGBM settings of the response and uplift models.</summary>
public sealed class GbmSettings
{
    /// <summary>Boosting rounds. Default 200.</summary>
    public int Trees { get; init; } = 200;

    /// <summary>Leaves per tree. Default 16.</summary>
    public int Leaves { get; init; } = 16;

    /// <summary>Shrinkage per round. Default 0.05.</summary>
    public double LearningRate { get; init; } = 0.05;

    /// <summary>Fewest rows a leaf may hold: small effects need big leaves. Default 200.</summary>
    public int MinRowsPerLeaf { get; init; } = 200;
}

/// <summary>
/// A fitted binary probability model over dense float features, trained through ML.NET. Immutable after
/// <see cref="Fit"/>; <see cref="Predict"/> is safe to call from one thread at a time per instance.
/// </summary>
public sealed class BinaryClassifier
{
    private readonly MLContext _ml;
    private readonly ITransformer _model;
    private readonly SchemaDefinition _schema;
    private readonly FlatForest? _forest;

    private BinaryClassifier(MLContext ml, ITransformer model, SchemaDefinition schema, LearnerKind kind, FlatForest? forest)
    {
        _ml = ml;
        _model = model;
        _schema = schema;
        Kind = kind;
        _forest = forest;
    }

    public LearnerKind Kind { get; }

    /// <summary>True when <see cref="Predict"/> evaluates the trees itself (checked equal to ML.NET's scoring at fit time).</summary>
    public bool FastScoring => _forest is not null;

    /// <summary>Fits P(label | features). <paramref name="weights"/> (optional) weigh rows, e.g. to balance treatment groups.</summary>
    public static BinaryClassifier Fit(IReadOnlyList<float[]> features, IReadOnlyList<bool> labels, LearnerKind kind, int seed,
        IReadOnlyList<float>? weights = null, GbmSettings? gbm = null)
    {
        if (features.Count == 0)
        {
            throw new ArgumentException("no rows to train on", nameof(features));
        }
        if (!labels.Contains(true) || !labels.Contains(false))
        {
            throw new ArgumentException("training needs both outcomes among its rows", nameof(labels));
        }
        var width = features[0].Length;
        var ml = new MLContext(seed);
        var schema = Schema(width);
        var rows = Enumerable.Range(0, features.Count).Select(i => new Row { Features = features[i], Label = labels[i], Weight = weights?[i] ?? 1f });
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        IEstimator<ITransformer> pipeline;
        if (kind == LearnerKind.LightGbm)
        {
            gbm ??= new GbmSettings();
            pipeline = ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
            {
                NumberOfIterations = gbm.Trees,
                NumberOfLeaves = gbm.Leaves,
                LearningRate = gbm.LearningRate,
                MinimumExampleCountPerLeaf = gbm.MinRowsPerLeaf,
                ExampleWeightColumnName = nameof(Row.Weight),
                Seed = seed,
                Verbose = false,
                Silent = true,
                NumberOfThreads = Environment.ProcessorCount,
            });
        }
        else
        {
            // Missing values become 0 after standardization's mean shift would be wrong; replace by the mean first.
            pipeline = ml.Transforms.ReplaceMissingValues(nameof(Row.Features))
                .Append(ml.Transforms.NormalizeMeanVariance(nameof(Row.Features)))
                .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
                {
                    ExampleWeightColumnName = nameof(Row.Weight),
                    L2Regularization = 1f,
                    L1Regularization = 0f,
                }));
        }
        var model = pipeline.Fit(data);
        var classifier = new BinaryClassifier(ml, model, schema, kind, null);
        if (kind == LearnerKind.LightGbm && FlatForest.From(model) is { } forest)
        {
            // Used only when it reproduces ML.NET's own probabilities on training rows (NaNs included).
            var check = Enumerable.Range(0, Math.Min(features.Count, 512)).Select(i => features[i * (features.Count / Math.Min(features.Count, 512))]).ToList();
            var expected = classifier.Predict(check);
            if (check.Select((x, i) => Math.Abs(forest.Probability(x) - expected[i])).Max() < 1e-5)
            {
                return new BinaryClassifier(ml, model, schema, kind, forest);
            }
        }
        return classifier;
    }

    /// <summary>P(label = true) for each row.</summary>
    /// <remarks>
    /// An ML.NET cursor scores on one thread; large inputs are cut into one chunk per core, each scored through its
    /// own data view (the fitted transformer is immutable and shared).
    /// </remarks>
    public float[] Predict(IReadOnlyList<float[]> features)
    {
        var result = new float[features.Count];
        if (_forest is { } forest)
        {
            Parallel.For(0, features.Count, () => 0, (i, _, n) => { result[i] = forest.Probability(features[i]); return n; }, _ => { });
            return result;
        }
        var chunks = features.Count < 50_000 ? 1 : Environment.ProcessorCount;
        var size = (features.Count + chunks - 1) / Math.Max(1, chunks);
        Parallel.For(0, chunks, c =>
        {
            var from = c * size;
            var to = Math.Min(features.Count, from + size);
            if (from >= to)
            {
                return;
            }
            var data = _ml.Data.LoadFromEnumerable(Enumerable.Range(from, to - from).Select(i => new Row { Features = features[i] }), _schema);
            var i = from;
            foreach (var p in _model.Transform(data).GetColumn<float>("Probability"))
            {
                result[i++] = p;
            }
        });
        return result;
    }

    /// <summary>
    /// A fitted LightGBM ensemble as flat arrays, evaluated directly: ML.NET's row cursor costs ~10 µs a row here,
    /// the trees themselves well under 1 µs (docs/benchmarks.md, propensity scoring).
    /// </summary>
    private sealed class FlatForest
    {
        private readonly int[][] _feature;
        private readonly float[][] _threshold;
        private readonly int[][] _left;
        private readonly int[][] _right;
        private readonly double[][] _leaf;
        private readonly float[]?[] _missing;
        private readonly double[] _weight;
        private readonly double _bias;
        private readonly double _slope;
        private readonly double _offset;

        private FlatForest(int[][] feature, float[][] threshold, int[][] left, int[][] right, double[][] leaf, float[]?[] missing, double[] weight, double bias, double slope, double offset)
        {
            (_feature, _threshold, _left, _right, _leaf, _missing, _weight, _bias, _slope, _offset) = (feature, threshold, left, right, leaf, missing, weight, bias, slope, offset);
        }

        // LightGBM sends a missing value where it learned to (its default direction): ML.NET keeps that as a value per
        // split that replaces NaN, which its public tree type does not expose. Read it by name; if ML.NET ever
        // renames it, the check at fit time fails and scoring falls back to ML.NET's own path.
        private static float[]? MissingValues(object tree)
        {
            const System.Reflection.BindingFlags Flags = System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public;
            for (var type = tree.GetType(); type is not null; type = type.BaseType)
            {
                if (type.GetField("_tree", Flags)?.GetValue(tree) is { } inner)
                {
                    return inner.GetType().GetProperty("DefaultValueForMissing", Flags)?.GetValue(inner) as float[]
                        ?? inner.GetType().GetField("DefaultValueForMissing", Flags)?.GetValue(inner) as float[];
                }
            }
            return null;
        }

        /// <summary>The forest of an ML.NET LightGBM binary model with Platt calibration, or null for anything else (e.g. categorical splits).</summary>
        public static FlatForest? From(ITransformer model)
        {
            if (model is not BinaryPredictionTransformer<Microsoft.ML.Calibrators.CalibratedModelParametersBase<LightGbmBinaryModelParameters, Microsoft.ML.Calibrators.PlattCalibrator>> binary)
            {
                return null;
            }
            var ensemble = binary.Model.SubModel.TrainedTreeEnsemble;
            var trees = ensemble.Trees;
            if (trees.Any(t => t.CategoricalSplitFlags.Any(f => f)))
            {
                return null;
            }
            return new FlatForest(
                [.. trees.Select(t => t.NumericalSplitFeatureIndexes.ToArray())],
                [.. trees.Select(t => t.NumericalSplitThresholds.ToArray())],
                [.. trees.Select(t => t.LeftChild.ToArray())],
                [.. trees.Select(t => t.RightChild.ToArray())],
                [.. trees.Select(t => t.LeafValues.ToArray())],
                [.. trees.Select(MissingValues)],
                [.. ensemble.TreeWeights],
                ensemble.Bias,
                binary.Model.Calibrator.Slope,
                binary.Model.Calibrator.Offset);
        }

        public float Probability(float[] x)
        {
            var score = _bias;
            for (var t = 0; t < _leaf.Length; t++)
            {
                var feature = _feature[t];
                var threshold = _threshold[t];
                var left = _left[t];
                var right = _right[t];
                var missing = _missing[t];
                var node = 0;
                if (feature.Length > 0)
                {
                    // A node index ≥ 0 is a split, a negative one is ~leaf.
                    while (node >= 0)
                    {
                        var v = x[feature[node]];
                        if (float.IsNaN(v) && missing is not null)
                        {
                            v = missing[node];
                        }
                        node = v <= threshold[node] ? left[node] : right[node];
                    }
                    node = ~node;
                }
                score += _weight[t] * _leaf[t][node];
            }
            return (float)(1 / (1 + Math.Exp(_slope * score + _offset)));
        }
    }

    private static SchemaDefinition Schema(int width)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return schema;
    }

    private sealed class Row
    {
        public float[] Features { get; set; } = [];
        public bool Label { get; set; }
        public float Weight { get; set; } = 1;
    }
}
