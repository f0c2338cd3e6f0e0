package io.dsm.benchmarks.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.util.Map;
import java.util.TreeMap;

/** One JMH result: benchmark, parameters, score, percentiles and secondary metrics. */
final class Result
{
    final String benchmark;
    final String method;
    final Map<String, String> params = new TreeMap<>();
    final double score;
    final double error;
    final String unit;
    final Map<String, Double> percentiles = new TreeMap<>();
    final Map<String, Double> secondary = new TreeMap<>();
    /** Each secondary metric's mean over the measured iterations (JMH sums an EVENTS counter's iterations). */
    final Map<String, Double> secondaryPerIteration = new TreeMap<>();

    Result(final JsonObject json)
    {
        benchmark = json.get("benchmark").getAsString();
        method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
        if (json.has("params"))
        {
            for (final Map.Entry<String, JsonElement> e : json.getAsJsonObject("params").entrySet())
            {
                params.put(e.getKey(), e.getValue().getAsString());
            }
        }
        final JsonObject primary = json.getAsJsonObject("primaryMetric");
        score = primary.get("score").getAsDouble();
        final JsonElement err = primary.get("scoreError");
        error = err == null || err.getAsString().equals("NaN") ? Double.NaN : err.getAsDouble();
        unit = primary.get("scoreUnit").getAsString();
        if (primary.has("scorePercentiles"))
        {
            for (final Map.Entry<String, JsonElement> e : primary.getAsJsonObject("scorePercentiles").entrySet())
            {
                percentiles.put(e.getKey(), e.getValue().getAsDouble());
            }
        }
        if (json.has("secondaryMetrics"))
        {
            for (final Map.Entry<String, JsonElement> e : json.getAsJsonObject("secondaryMetrics").entrySet())
            {
                final com.google.gson.JsonObject metric = e.getValue().getAsJsonObject();
                secondary.put(e.getKey(), metric.get("score").getAsDouble());
                if (metric.has("rawData"))
                {
                    double sum = 0;
                    int count = 0;
                    for (final JsonElement fork : metric.getAsJsonArray("rawData"))
                    {
                        for (final JsonElement iteration : fork.getAsJsonArray())
                        {
                            sum += iteration.getAsDouble();
                            count++;
                        }
                    }
                    secondaryPerIteration.put(e.getKey(), count == 0 ? Double.NaN : sum / count);
                }
            }
        }
    }

    boolean is(final String className, final String methodName)
    {
        return benchmark.endsWith("." + className + "." + methodName);
    }

    double percentile(final String p)
    {
        final Double value = percentiles.get(p);
        return value == null ? Double.NaN : value;
    }

    double allocation()
    {
        final Double value = secondary.get("gc.alloc.rate.norm");
        return value == null ? Double.NaN : value;
    }
}
