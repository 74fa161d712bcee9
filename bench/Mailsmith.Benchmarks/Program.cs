using BenchmarkDotNet.Running;

// Run from bench.sh with fixed arguments; results go to docs/benchmarks.md.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
