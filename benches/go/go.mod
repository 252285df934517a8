module gortbench/twins

go 1.19
