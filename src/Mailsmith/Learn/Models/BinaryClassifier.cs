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

    private BinaryClassifier(MLContext ml, ITransformer model, SchemaDefinition schema, LearnerKind kind)
    {
        _ml = ml;
        _model = model;
        _schema = schema;
        Kind = kind;
    }

    public LearnerKind Kind { get; }

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
        return new BinaryClassifier(ml, model, schema, kind);
    }

    /// <summary>P(label = true) for each row.</summary>
    /// <remarks>
    /// An ML.NET cursor scores on one thread; large inputs are cut into one chunk per core, each scored through its
    /// own data view (the fitted transformer is immutable and shared).
    /// </remarks>
    public float[] Predict(IReadOnlyList<float[]> features)
    {
        var result = new float[features.Count];
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
